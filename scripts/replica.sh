#!/usr/bin/env bash
# The read-replica recipe of docs/operations.md, on one machine: a PostgreSQL primary and a
# hot standby streaming from it, each a cluster of its own in a temporary folder, on ports
# 5433 and 5434. Then the test that linkwork sends its reporting reads to the standby, with
# the two URLs in LINKWORK_TEST_REPLICA_PRIMARY and LINKWORK_TEST_REPLICA_STANDBY. The
# clusters are removed at the end, whatever happens.
#
#   scripts/replica.sh            set up, run TestReadReplica, tear down
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PRIMARY_PORT=${PRIMARY_PORT:-5433}
STANDBY_PORT=${STANDBY_PORT:-5434}
WORK=$(mktemp -d /tmp/linkwork-replica.XXXXXX)
chmod 755 "$WORK"
# PostgreSQL will not run as root: the clusters belong to the postgres user.
AS=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$WORK"
  AS=(runuser -u postgres --)
fi

cleanup() {
  "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/standby" -m immediate stop >/dev/null 2>&1 || true
  "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/primary" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# 1. The primary: trust on loopback (for the test only), replication allowed.
"${AS[@]}" "$BIN/initdb" -D "$WORK/primary" -U postgres --auth=trust >/dev/null
cat >>"$WORK/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$WORK'
wal_level = replica
max_wal_senders = 4
CONF
echo "host replication postgres 127.0.0.1/32 trust" >>"$WORK/primary/pg_hba.conf"
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/primary" -l "$WORK/primary.log" -w start >/dev/null

# 2. The standby: a base backup of the primary with -R, which writes standby.signal and the
#    primary_conninfo that makes it stream from the primary; hot_standby lets it answer reads.
"${AS[@]}" "$BIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$WORK/standby" -R -X stream >/dev/null
cat >>"$WORK/standby/postgresql.conf" <<CONF
port = $STANDBY_PORT
unix_socket_directories = '$WORK'
hot_standby = on
CONF
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/standby" -l "$WORK/standby.log" -w start >/dev/null

export LINKWORK_TEST_REPLICA_PRIMARY="postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres?sslmode=disable"
export LINKWORK_TEST_REPLICA_STANDBY="postgres://postgres@127.0.0.1:$STANDBY_PORT/postgres?sslmode=disable"
go test ./sqldb -run 'TestReadReplica' -count=1 -v "$@"
