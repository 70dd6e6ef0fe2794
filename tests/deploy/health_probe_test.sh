#!/usr/bin/env bash
# The images' HEALTHCHECK binary (deploy/docker/health_probe) against a real
# tracking service on the test Postgres (the ctest `services` fixture):
# SERVING -> 0, NOT_SERVING -> 1, no answer -> 2, bad usage -> 64.
#
#   health_probe_test.sh PROBE TRACKING   (SMARTSHOP_TESTENV names the env file)
set -euo pipefail
probe=${1:?usage: health_probe_test.sh PROBE TRACKING}
tracking=${2:?usage: health_probe_test.sh PROBE TRACKING}
env_file=${SMARTSHOP_TESTENV:?run through ctest: the services fixture writes it}
# shellcheck disable=SC1090
. "$env_file"

work=$(mktemp -d)
db="probe_test_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$PG_BIN/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --if-exists "$db" || true
  rm -rf "$work"
}
trap cleanup EXIT
failures=0

expect() {  # expect STATUS ARGS...: the probe exits with STATUS
  local want=$1 got=0
  shift
  "$probe" "$@" 2>"$work/probe.err" || got=$?
  if [ "$got" = "$want" ]; then
    echo "ok: grpc_health_probe $* -> $got ($(cat "$work/probe.err"))"
  else
    echo "FAIL: grpc_health_probe $* -> $got, want $want ($(cat "$work/probe.err"))"
    failures=$((failures + 1))
  fi
}

start_tracking() {  # start_tracking NAME DATABASE_URL: sets $port
  local log="$work/$1.log"
  # The admin port by environment: any free one, so parallel tests never meet.
  TRACKING_ADMIN_LISTEN=127.0.0.1:0 "$tracking" --listen=127.0.0.1:0 \
    --database_url="$2" --insecure_no_auth 2>"$log" &  # probes need no token
  pids+=($!)
  port=
  for _ in $(seq 1 100); do
    port=$(grep -o '"event":"started".*' "$log" | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "FAIL: tracking ($1) did not start:"; cat "$log"
  exit 1
}

wait_serving() {  # wait_serving PORT SERVICE: until SERVING, at most 15 s
  for _ in $(seq 1 75); do
    "$probe" "127.0.0.1:$1" "$2" 1 2>/dev/null && return 0
    sleep 0.2
  done
  return 0  # the expectation that follows reports it
}

"$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$db"
start_tracking good "postgresql://postgres@127.0.0.1:$PG_PORT/$db"
good=$port
wait_serving "$good" smartshop.v1.TrackingService
expect 0 "127.0.0.1:$good"
expect 0 "127.0.0.1:$good" smartshop.v1.TrackingService
expect 0 "127.0.0.1:$good" smartshop.v1.CatalogService 2
expect 2 "127.0.0.1:$good" no.such.Service

# A database that does not exist: the service runs, but is not ready.
start_tracking nodb "postgresql://postgres@127.0.0.1:$PG_PORT/${db}_missing"
sleep 1
expect 1 "127.0.0.1:$port" smartshop.v1.TrackingService

# Nothing listening (the probe's own port, closed again), and bad usage.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect 2 "127.0.0.1:$closed" "" 1
expect 64
expect 64 "127.0.0.1:$good" smartshop.v1.TrackingService 0

if [ "$failures" -ne 0 ]; then
  echo "health probe: $failures failed"
  exit 1
fi
echo "health probe: all cases passed"
