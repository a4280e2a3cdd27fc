#!/usr/bin/env python3
"""Reference implementation in DuckDB SQL of the dependency screen's metrics (see README.md).

    python3 metrics_duckdb.py --reporter NL|EU27 --out OUT.csv BACI.csv [BACI.csv ...]

Writes the metrics table as CSV (COPY) and prints one JSON line: {"rows": N, "dependencies": D}.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from codes import BLOC, HHI, RATIO, REPORTERS, SHARE  # noqa: E402

COLUMN_TYPES = "{'t': 'INTEGER', 'i': 'INTEGER', 'j': 'INTEGER', 'k': 'INTEGER', 'v': 'DOUBLE', 'q': 'VARCHAR'}"

# {files}: a DuckDB list of paths; {reporter}: 'NL' or 'EU27'; {r} and {b}: comma-separated codes.
# One scan of the flows, grouped by (year, product, exporter): the exporter's world sales w, what it
# sells into R (m, NULL when nothing; for a bloc a member's sales to the other members count) and, if
# it is in R, what it sells to anyone but itself (x; for a bloc, sales to the other members included).
# Then per (year, product): world HHI = Σ w² / (Σ w)², import HHI = Σ m² / (Σ m)², the same over
# origins outside the bloc, the top origin (largest m, ties to the smallest code).
METRICS_SQL = """
CREATE TEMP TABLE metrics AS
WITH flows AS (
    SELECT t, i, j, k, v
    FROM read_csv({files}, header = true, columns = {types})
),
by_exporter AS (
    SELECT t, k, i,
           SUM(v) AS w,
           SUM(v) FILTER (WHERE j IN ({r}) AND i <> j) AS m,
           SUM(v) FILTER (WHERE i IN ({r}) AND j <> i) AS x
    FROM flows
    GROUP BY t, k, i
),
products AS (
    SELECT t, k,
           SUM(m) AS imports,
           COALESCE(SUM(m) FILTER (WHERE i NOT IN ({b})), 0) AS outside,
           COALESCE(SUM(x), 0) AS exports,
           SUM(m * m) AS m2,
           SUM(m * m) FILTER (WHERE i NOT IN ({b})) AS o2,
           SUM(w) AS world,
           SUM(w * w) AS w2,
           first(i ORDER BY m DESC NULLS LAST, i ASC) AS top_origin,
           MAX(m) AS m_top
    FROM by_exporter
    GROUP BY t, k
)
SELECT '{reporter}' AS reporter,
       lpad(CAST(k AS VARCHAR), 6, '0') AS hs6,
       t AS year,
       imports,
       outside AS imports_outside_bloc,
       exports,
       m2 / (imports * imports) AS import_hhi,
       CASE WHEN outside > 0 THEN o2 / (outside * outside) END AS outside_hhi,
       outside / imports AS outside_share,
       CASE WHEN exports > 0 THEN outside / exports END AS import_export_ratio,
       w2 / (world * world) AS world_hhi,
       top_origin,
       m_top / imports AS top_origin_share
FROM products
WHERE imports > 0
ORDER BY year, hs6
"""

COUNT_SQL = f"""
SELECT count(*) AS rows,
       count(*) FILTER (WHERE outside_hhi > {HHI} AND outside_share > {SHARE}
                        AND (import_export_ratio > {RATIO} OR exports = 0)) AS dependencies
FROM metrics
"""


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reporter", choices=sorted(REPORTERS), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, help="DuckDB threads (default: all cores)")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    import duckdb
    con = duckdb.connect()
    if a.threads:
        con.execute(f"SET threads = {a.threads}")
    files = "[" + ", ".join(sql_string(f) for f in a.files) + "]"
    codes = lambda xs: ", ".join(str(c) for c in xs)  # noqa: E731
    con.execute(METRICS_SQL.format(files=files, types=COLUMN_TYPES, reporter=a.reporter,
                                   r=codes(REPORTERS[a.reporter]), b=codes(BLOC)))
    con.execute(f"COPY metrics TO {sql_string(a.out)} (FORMAT csv, HEADER true)")
    rows, deps = con.execute(COUNT_SQL).fetchone()
    print(json.dumps({"rows": rows, "dependencies": deps}))


if __name__ == "__main__":
    main()
