#!/usr/bin/env bash
# Builds everything (tools/setup.sh), starts a private Redis (services.sh
# brings a Postgres along, unused here) on free loopback ports, runs
# recommender_bench against it, and stops it all again, also on failure or
# Ctrl-C. Extra arguments go to recommender_bench, e.g.:
#
#   tools/bench/recommender/run_recommender_bench.sh --duration=3s --rounds=3
#   tools/bench/recommender/run_recommender_bench.sh --phases=miss --json
#
# BUILD_DIR=<dir> skips tools/setup.sh and builds only recommender_bench in
# <dir> (configuring it first if needed). Only the report goes to stdout;
# the service's own log lines go to a file that is shown on failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)

if [ -n "${BUILD_DIR:-}" ]; then
  mkdir -p "$BUILD_DIR"
  build=$(cd "$BUILD_DIR" && pwd)
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  fi
  cmake --build "$build" --target recommender_bench -j "$(nproc)" >&2
else
  build=$root/build
  "$root/tools/setup.sh" >&2
fi
bench=$build/tools/bench/recommender/recommender_bench
[ -x "$bench" ] || { echo "run_recommender_bench: $bench is not built" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/recommender-bench.XXXXXX")
# services.sh runs Postgres as the postgres user when we are root: it must be
# able to reach its directory below ours.
chmod 711 "$work"
cleanup() {
  local status=$?
  "$root/tools/dev/services.sh" stop "$work/services" >/dev/null 2>&1 || true
  if [ "$status" != 0 ] && [ -f "$work/bench.log" ]; then
    echo "run_recommender_bench: failed; last lines of its log:" >&2
    tail -n 20 "$work/bench.log" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

"$root/tools/dev/services.sh" start "$work/services" >/dev/null
REDIS_URL=$(sed -n 's/^REDIS_URL=//p' "$work/services/env")
[ -n "$REDIS_URL" ] || { echo "run_recommender_bench: no REDIS_URL" >&2; exit 1; }

"$bench" --redis_url="$REDIS_URL" "$@" 2>"$work/bench.log"
