#!/usr/bin/env bash
# Private Postgres and Redis on free loopback ports, for tests, the demo and
# benchmarks. Nothing outside DIR is touched; nothing listens beyond 127.0.0.1.
#
#   tools/dev/services.sh start DIR   # prints and writes DIR/env (DATABASE_URL, REDIS_URL)
#                                     # as KEY=VALUE lines: `set -a; . DIR/env; set +a`
#   tools/dev/services.sh stop DIR
#   tools/dev/services.sh pg-stop|pg-start DIR   # Postgres only, same port
set -euo pipefail

cmd=${1:?usage: services.sh start|stop DIR}
dir=${2:?usage: services.sh start|stop DIR}

find_pg_bin() {
  for d in /usr/lib/postgresql/*/bin /usr/local/bin /usr/bin; do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
  echo "services.sh: no initdb/pg_ctl found; install the postgresql package" >&2
  exit 1
}

pg_settings="-c listen_addresses=127.0.0.1 -c max_connections=200"
# SMARTSHOP_PG_NO_FSYNC=1 (the test suite's servers): Postgres skips fsync
# and full-page writes. A crash of Postgres itself still loses nothing (the
# WAL is written to the kernel before a commit returns); only a machine
# crash would, which a throwaway test server does not survive anyway.
# Commits stop waiting for the disk (the plan tests' bulk fills are bound by
# CPU and gain little). Benchmarks and the demo keep the defaults, so that
# commit costs are real there.
if [ "${SMARTSHOP_PG_NO_FSYNC:-0}" = 1 ]; then
  pg_settings="$pg_settings -c fsync=off -c full_page_writes=off"
fi

# shellcheck source=tools/dev/free_port.sh
. "$(dirname "$0")/free_port.sh"

# Postgres refuses to run as root: use the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  local bin pgdata pg_port redis_port
  bin=$(find_pg_bin)
  pgdata="$dir/pgdata"
  rm -rf "$pgdata" "$dir/pg.sock"
  mkdir -p "$pgdata" "$dir/pg.sock"
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir" "$pgdata" "$dir/pg.sock"; fi
  as_pg "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 \
    --no-locale >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  # Another test may take the same free port first: then another port.
  local attempt
  for attempt in 1 2 3; do
    pg_port=$(free_port)
    as_pg "$bin/pg_ctl" -D "$pgdata" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $pg_port -k $dir/pg.sock $pg_settings" \
      start >/dev/null && break
    grep -q "Address already in use" "$dir/postgres.log" && [ "$attempt" -lt 3 ] ||
      { cat "$dir/postgres.log" >&2; exit 1; }
  done
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres smartshop

  local up=0
  for attempt in 1 2 3; do
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' \
      --appendonly no --daemonize yes --pidfile "$dir/redis.pid" \
      --logfile "$dir/redis.log" --dir "$dir"
    for _ in $(seq 1 50); do
      redis-cli -p "$redis_port" ping >/dev/null 2>&1 && { up=1; break; }
      sleep 0.1
    done
    [ "$up" = 1 ] && break
    # Another port only when this one was taken: a Redis that started
    # slowly, or not at all for another reason, is an error.
    grep -q "Address already in use" "$dir/redis.log" || break
  done
  [ "$up" = 1 ] || { tail -n 20 "$dir/redis.log" >&2; exit 1; }

  cat >"$dir/env" <<ENV
DATABASE_URL=postgresql://postgres@127.0.0.1:$pg_port/smartshop
REDIS_URL=redis://127.0.0.1:$redis_port
PG_PORT=$pg_port
REDIS_PORT=$redis_port
PG_BIN=$bin
PGDATA=$pgdata
ENV
  cat "$dir/env"
}

stop() {
  [ -d "$dir" ] || return 0
  if [ -f "$dir/env" ]; then
    # shellcheck disable=SC1091
    . "$dir/env"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [ -f "$dir/redis.pid" ]; then
    local pid
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    # Redis writes its log while exiting: wait, so that callers may remove DIR.
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
}

# Stops or restarts only Postgres, on the same port (for fault tests).
pg_ctl_again() {
  # shellcheck disable=SC1091
  . "$dir/env"
  if [ "$1" = stop ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  else
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $PG_PORT -k $dir/pg.sock $pg_settings" \
      start >/dev/null
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  pg-stop) pg_ctl_again stop ;;
  pg-start) pg_ctl_again start ;;
  *) echo "usage: services.sh start|stop|pg-stop|pg-start DIR" >&2; exit 2 ;;
esac
