#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use is up: starts the machine's cluster if it is
# down, installs PostgreSQL from Debian if it is missing, and fails loudly if it still cannot
# be reached. LINKWORK_TEST_POSTGRES=off skips it (SQLite-only runs on a laptop).
set -euo pipefail
url=${LINKWORK_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
[ "$url" = off ] && { echo "LINKWORK_TEST_POSTGRES=off: PostgreSQL tests will be skipped"; exit 0; }

reachable() { pg_isready -q -d "$url" 2>/dev/null; }

if ! command -v pg_isready >/dev/null; then
  echo "PostgreSQL is not installed; installing it from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
if ! reachable; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    echo "Starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do reachable && break; sleep 1; done
fi
if ! reachable; then
  echo "ERROR: PostgreSQL is not reachable at $url." >&2
  echo "The tests run on SQLite and PostgreSQL. Start PostgreSQL, point LINKWORK_TEST_POSTGRES at one," >&2
  echo "or set LINKWORK_TEST_POSTGRES=off to test SQLite alone." >&2
  exit 1
fi
# The tests connect as postgres without a password (trust on the loopback address).
if ! psql "$url" -qAtc 'SELECT 1' >/dev/null 2>&1; then
  echo "ERROR: PostgreSQL at $url is up but refuses the connection (check the user and pg_hba.conf)." >&2
  exit 1
fi
echo "PostgreSQL is ready at $url"
