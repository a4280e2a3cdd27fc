#!/usr/bin/env bash
# The programme ledger: importing and exporting N budget lines (SYNTHETIC: generated below
# with a fixed seed, not budget data) on SQLite and on PostgreSQL.
#
# indmon imports all or nothing, validating every row (kinds, years, amounts, references,
# stated totals) and writing each record's version and an audit-trail row. The peers, in
# the same run, load the very same CSV with no checks and no audit trail — the floor:
#   - sqlite3's `.import` into a plain table (Debian `sqlite3`);
#   - psql's `\copy` into a plain table (Debian `postgresql-client`).
#
#   cargo build --release
#   INDMON_TEST_POSTGRES="$(bash .ci/postgres.sh)" bash bench/ledger/run.sh [path/to/indmon] [N]
set -euo pipefail
INDMON=${1:-target/release/indmon}
N=${2:-5000}
PG=${INDMON_TEST_POSTGRES:?set INDMON_TEST_POSTGRES, e.g. INDMON_TEST_POSTGRES=\"\$(bash .ci/postgres.sh)\"}
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 2; }
work=$(mktemp -d)
db="indmon_bench_$$"
trap 'psql "$PG" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
pgdb=$(echo "$PG" | sed "s/dbname=[^ ]*/dbname=$db/")

# N itemised lines over the six programmes and the years 2025-2030 (no stated totals
# for those years, so every line is accepted); seeded with a linear congruential generator.
python3 - "$N" > "$work/budget_lines.csv" <<'PY'
import sys
n = int(sys.argv[1]); x = 20261128
progs = ["semiconductors", "biotechnology", "digital_ai", "machine_building", "innovative_chemistry", "defence_growth"]
kinds = ["commitment", "expenditure", "receipt", "tax_expenditure"]
print("id,programme_id,year,kind,amount_eur,prices,source_document,notes")
for i in range(n):
    x = (1103515245 * x + 12345) % 2**31
    print(f"bench-{i},{progs[x % 6]},{2025 + x % 6},{kinds[(x >> 3) % 4]},{x % 50_000_000},current,SYNTHETIC benchmark line,generated")
PY
echo "indmon $("$INDMON" --version); $N SYNTHETIC budget lines ($(wc -c < "$work/budget_lines.csv") bytes)"
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
ratio() { echo "scale=1; $1 / $2" | bc; }
header="id TEXT PRIMARY KEY, programme_id TEXT, year BIGINT, kind TEXT, amount_eur BIGINT, prices TEXT, source_document TEXT, notes TEXT"

# SQLite
"$INDMON" -q --data-dir "$work/data" ledger list >/dev/null   # creates and seeds the ledger
imp_sqlite=$(t "$INDMON" -q --data-dir "$work/data" ledger import "$work/budget_lines.csv" --actor bench)
exp_sqlite=$(t "$INDMON" -q --data-dir "$work/data" ledger export --format xlsx --out "$work/l.xlsx")
json_sqlite=$(t "$INDMON" -q --data-dir "$work/data" ledger export --format json --out "$work/l.json")
peer_sqlite=$(t sqlite3 "$work/peer.sqlite" "CREATE TABLE budget_line ($header);" ".mode csv" ".import --skip 1 $work/budget_lines.csv budget_line")

# PostgreSQL
psql "$PG" -q -c "CREATE DATABASE $db" >/dev/null
"$INDMON" -q --data-dir "$work/data2" ledger --ledger "$pgdb" list >/dev/null
imp_pg=$(t "$INDMON" -q --data-dir "$work/data2" ledger --ledger "$pgdb" import "$work/budget_lines.csv" --actor bench)
exp_pg=$(t "$INDMON" -q --data-dir "$work/data2" ledger --ledger "$pgdb" export --format xlsx --out "$work/l2.xlsx")
json_pg=$(t "$INDMON" -q --data-dir "$work/data2" ledger --ledger "$pgdb" export --format json --out "$work/l2.json")
psql "$pgdb" -q -c "CREATE TABLE peer_budget_line ($header)" >/dev/null
peer_pg=$(t psql "$pgdb" -q -c "\\copy peer_budget_line FROM '$work/budget_lines.csv' WITH (FORMAT csv, HEADER true)")

printf '| step | SQLite (s) | PostgreSQL (s) |\n|---|---|---|\n'
printf '| indmon ledger import (validated, versioned, audited) | %.3f | %.3f |\n' "$imp_sqlite" "$imp_pg"
printf '| peer: sqlite3 .import / psql \\copy (no checks) | %.3f | %.3f |\n' "$peer_sqlite" "$peer_pg"
printf '| ratio import / peer | %s× | %s× |\n' "$(ratio "$imp_sqlite" "$peer_sqlite")" "$(ratio "$imp_pg" "$peer_pg")"
printf '| indmon ledger export --format xlsx | %.3f | %.3f |\n' "$exp_sqlite" "$exp_pg"
printf '| indmon ledger export --format json | %.3f | %.3f |\n' "$json_sqlite" "$json_pg"
