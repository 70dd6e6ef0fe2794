#!/usr/bin/env bash
# Builds everything (tools/setup.sh), starts private Postgres and Redis and a
# tracking service on free loopback ports, runs tracking_bench against them,
# and stops it all again, also on failure or Ctrl-C. Extra arguments go to
# tracking_bench, e.g.:
#
#   tools/bench/run_tracking_bench.sh --events=100000 --unary_events=20000
#   tools/bench/run_tracking_bench.sh --json
#
# BENCH=replay_bench runs the replica catch-up benchmark (replay_bench.cc)
# against the same set-up instead of tracking_bench.
#
# BUILD_DIR=<dir> uses binaries already built there instead of running
# tools/setup.sh (which builds into build/). The service's own settings come
# from its environment as usual (e.g. TRACKING_SERVER_THREADS=256). Only the
# report goes to stdout.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tools/bench/bench_services.sh
. "$root/tools/bench/bench_services.sh"

if [ -n "${BUILD_DIR:-}" ]; then
  build=$(cd "$BUILD_DIR" && pwd)
else
  build=$root/build
  "$root/tools/setup.sh" >&2
fi
tracking=$build/services/tracking/tracking
bench=$build/tools/bench/${BENCH:-tracking_bench}
# The benchmarks are not in the default build (no test runs them).
cmake --build "$build" --target tracking "${BENCH:-tracking_bench}" >&2
for bin in "$tracking" "$bench"; do
  [ -x "$bin" ] || { echo "run_tracking_bench: $bin is not built" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tracking-bench.XXXXXX")
# services.sh runs Postgres as the postgres user when we are root: it must be
# able to reach its directory below ours.
chmod 711 "$work"
tracking_pid=
cleanup() {
  local status=$?
  bench_stop_process "$tracking_pid"
  bench_services_stop "$work"
  if [ "$status" != 0 ] && [ -f "$work/tracking.log" ]; then
    echo "run_tracking_bench: failed; last lines of the tracking log:" >&2
    tail -n 20 "$work/tracking.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=tools/dev/free_port.sh
. "$root/tools/dev/free_port.sh"

bench_services_start "$work"

# Authentication on, as deployed: the bench's calls carry a token (its
# cost is part of what is measured).
SMARTSHOP_TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
export SMARTSHOP_TOKEN
(umask 077; printf 'bench read,write %s\n' "$SMARTSHOP_TOKEN" >"$work/tokens")

port=$(free_port)
"$tracking" --listen="127.0.0.1:$port" --admin_listen=127.0.0.1:0 \
  --database_url="$DATABASE_URL" --auth_tokens_file="$work/tokens" \
  2>"$work/tracking.log" &
tracking_pid=$!

# The service logs migrations_applied once the schema is in place; the bench
# then also waits for the health service to say SERVING.
for _ in $(seq 1 600); do
  grep -q '"migrations_applied"' "$work/tracking.log" && break
  kill -0 "$tracking_pid" 2>/dev/null || {
    echo "run_tracking_bench: tracking exited during start-up" >&2
    exit 1
  }
  sleep 0.1
done
grep -q '"migrations_applied"' "$work/tracking.log" || {
  echo "run_tracking_bench: tracking did not migrate within 60 s" >&2
  exit 1
}

"$bench" --target="127.0.0.1:$port" --database_url="$DATABASE_URL" "$@"
