#!/usr/bin/env bash
# The shop-scale benchmark in one command: builds (tools/setup.sh), starts a
# private Postgres and Redis on free loopback ports, runs shop_scale (which
# starts tracking, the recommender replicas and the fake model itself) and
# stops it all again, also on failure or Ctrl-C. Extra arguments go to
# shop_scale, e.g.:
#
#   tools/bench/shop_scale/run_shop_scale_bench.sh                # 5 000 000 events
#   tools/bench/shop_scale/run_shop_scale_bench.sh --events=1000000 --soak_seconds=30
#   tools/bench/shop_scale/run_shop_scale_bench.sh --smoke        # ctest's check
#
# The report goes to stdout and, as JSON, to tools/bench/shop_scale/
# shop_scale.json (the README's table comes from it; --json_out=FILE
# elsewhere). --smoke runs 20 000 events with 3 s soaks into a temporary
# file and checks every figure (check_shop_scale_report.py). BUILD_DIR=<dir>
# uses binaries already built there instead of running tools/setup.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
# shellcheck source=tools/bench/bench_services.sh
. "$root/tools/bench/bench_services.sh"

smoke=0
args=()
for arg in "$@"; do
  if [ "$arg" = --smoke ]; then smoke=1; else args+=("$arg"); fi
done

if [ -n "${BUILD_DIR:-}" ]; then
  build=$(cd "$BUILD_DIR" && pwd)
else
  build=$root/build
  "$root/tools/setup.sh" >&2
fi
bench=$build/tools/bench/shop_scale/shop_scale
for bin in "$bench" "$build/services/tracking/tracking" \
  "$build/services/recommender/recommender" \
  "$build/tools/fake_openai/fake_openai"; do
  [ -x "$bin" ] || { echo "run_shop_scale_bench: $bin is not built" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/shop-scale.XXXXXX")
# services.sh runs Postgres as the postgres user when we are root: it must be
# able to reach its directory below ours.
chmod 711 "$work"
mkdir "$work/run"
bench_pid=
trap 'exit 130' INT
trap 'exit 143' TERM
trap finish EXIT
finish() {
  local status=$?
  # shop_scale's services die with it (PR_SET_PDEATHSIG).
  bench_stop_process "$bench_pid"
  bench_services_stop "$work"
  if [ "$status" != 0 ]; then
    for log in "$work"/run/*.log; do
      [ -f "$log" ] || continue
      echo "run_shop_scale_bench: failed; last lines of $(basename "$log"):" >&2
      tail -n 5 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}

bench_services_start "$work"

if [ "$smoke" = 1 ]; then
  json=$work/smoke.json
  # A 1 s page deadline: CI machines are shared, and the smoke run checks
  # the figures, not the speed.
  args=(--events=20000 --products=10000 --soak_seconds=3 --soak_callers=8
        --page_deadline=1s --live_events_per_second=50 "${args[@]}")
else
  json=$here/shop_scale.json
fi

"$bench" --database_url="$DATABASE_URL" --redis_url="$REDIS_URL" \
  --tracking_bin="$build/services/tracking/tracking" \
  --recommender_bin="$build/services/recommender/recommender" \
  --fake_openai_bin="$build/tools/fake_openai/fake_openai" \
  --work_dir="$work/run" --json_out="$json" "${args[@]}" &
bench_pid=$!
wait "$bench_pid"
bench_pid=

if [ "$smoke" = 1 ]; then
  python3 "$here/check_shop_scale_report.py" "$json"
fi
