# Sourced by .ci/run (and usable by hand: `. .ci/postgres.sh && start_postgres`).
# start_postgres starts a throwaway PostgreSQL cluster in a temporary directory, listening on a
# Unix socket only (no TCP port to collide with), creates a database and exports
# AELAB_TEST_POSTGRES naming it, so the PostgreSQL store's tests run instead of skipping. The
# cluster is stopped and its directory removed when the shell exits (trap on EXIT).
# PostgreSQL refuses to run as root: as root, the server runs as the postgres user.

pg_as() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "postgres: no /usr/lib/postgresql/*/bin/initdb; install Debian's postgresql" >&2
    return 1
  fi
  AELAB_PG_DIR=$(mktemp -d /tmp/aelab-pg.XXXXXX)
  if [ "$(id -u)" = 0 ]; then chown postgres: "$AELAB_PG_DIR"; fi
  trap stop_postgres EXIT
  pg_as "$bin/initdb" -D "$AELAB_PG_DIR/data" -U aelab -A trust --no-sync -E UTF8 >/dev/null
  pg_as "$bin/pg_ctl" -D "$AELAB_PG_DIR/data" -l "$AELAB_PG_DIR/log" -w -t 60 \
    -o "-k $AELAB_PG_DIR -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
  pg_as "$bin/createdb" -h "$AELAB_PG_DIR" -U aelab aelab_test
  AELAB_PG_BIN=$bin
  export AELAB_TEST_POSTGRES="postgres:///aelab_test?host=$AELAB_PG_DIR&user=aelab"
  echo "postgres: $("$bin/postgres" --version), AELAB_TEST_POSTGRES=$AELAB_TEST_POSTGRES"
}

stop_postgres() {
  [ -n "${AELAB_PG_DIR:-}" ] || return 0
  pg_as "$AELAB_PG_BIN/pg_ctl" -D "$AELAB_PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$AELAB_PG_DIR"
  AELAB_PG_DIR=
}
