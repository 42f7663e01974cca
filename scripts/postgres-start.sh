#!/usr/bin/env bash
# Start a real PostgreSQL server for the test suite (CI and local), from Debian's packages.
# Prints the URL to use as OT_TEST_POSTGRES_URL. Idempotent.
set -euo pipefail
# the server itself (a machine may have only the client tools and postgresql-common)
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || ! command -v pg_lsclusters >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
fi
version=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
cluster=$(pg_lsclusters -h | awk 'NR==1 {print $2}')
if [ -z "${version}" ]; then
  version=$(ls -d /usr/lib/postgresql/*/bin/postgres | sed -E 's#.*/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1)
  cluster=main
  pg_createcluster "$version" "$cluster" >/dev/null
fi
pg_ctlcluster "$version" "$cluster" start 2>/dev/null || true
for _ in $(seq 1 30); do
  if su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='ot'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE ot LOGIN SUPERUSER PASSWORD 'ot'\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='ot_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O ot ot_test"
port=$(pg_lsclusters -h | awk 'NR==1 {print $3}')
echo "postgresql://ot:ot@127.0.0.1:${port}/ot_test"
