#!/usr/bin/env bash
# Installs (if missing) and starts a PostgreSQL server for the ledger tests, and creates the
# test role. Prints the connection string the tests read from INDMON_TEST_POSTGRES.
# Debian's `postgresql` package; the server runs as the `postgres` system user, listens on
# 127.0.0.1 only, and the test role logs in with a password over TCP (scram-sha-256).
set -euo pipefail
sudo_=""
[ "$(id -u)" -ne 0 ] && sudo_="sudo"
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  $sudo_ apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq postgresql >/dev/null
fi
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version "; then
  $sudo_ pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" && $4=="online"' | grep -q .; then
  $sudo_ pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
as_pg psql -q -p "$port" -v ON_ERROR_STOP=1 >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'indmon_test') THEN
    CREATE ROLE indmon_test LOGIN CREATEDB PASSWORD 'indmon_test';
  END IF;
END \$\$;
SQL
echo "host=127.0.0.1 port=$port user=indmon_test password=indmon_test dbname=postgres"
