#!/usr/bin/env bash
# Starts the distribution's PostgreSQL when it is not running and prints the URL the server
# tests use (INCUBOOK_TEST_POSTGRES_URL): a role `incubook` that may create databases, as
# each test makes and drops its own. An URL already in the environment is used as it is.
set -euo pipefail
if [ -n "${INCUBOOK_TEST_POSTGRES_URL:-}" ]; then
  echo "$INCUBOOK_TEST_POSTGRES_URL"
  exit 0
fi
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
if ! pg_lsclusters -h | grep -q .; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  as_root pg_createcluster "$version" main >&2
fi
read -r version name port status _ < <(pg_lsclusters -h | head -1)
if [ "$status" != online ]; then
  as_root pg_ctlcluster "$version" "$name" start >&2
fi
if ! as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'incubook'" | grep -q 1; then
  as_postgres psql -p "$port" -qc "CREATE ROLE incubook LOGIN SUPERUSER PASSWORD 'incubook'" >&2
fi
echo "postgres://incubook:incubook@127.0.0.1:$port/postgres"
