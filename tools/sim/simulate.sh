#!/usr/bin/env bash
# The shop simulation, end to end on this machine: a private Postgres and
# Redis, the tracking service and the recommender running the experiment of
# tools/sim/experiment.textproto (top sellers against the builtin ranker),
# then `smartshop simulate` replays the Online Retail sample as shoppers
# (tools/sim/shop_simulation.h) and prints the experiment's report, then
# the dashboard's data is fetched from the recommender's admin port (and,
# when Debian's chromium is installed, a screenshot of the page is taken).
# Everything it starts is stopped when it exits.
#
#   tools/sim/simulate.sh [CSV]
#
# CSV defaults to ../shared/data/online-retail-first10k/OnlineRetail.csv
# beside the repo. BUILD_DIR (default build) must hold a build (or the
# script builds its targets there). OUT_DIR (default build/sim) keeps the
# report, the dashboard's JSON and its screenshot. KEEP_SIM=1 leaves the
# services running until Enter is pressed (to open the dashboard).
# SIM_CHECK=1 (the ctest simulation_check) skips the build and fails unless
# the report finds the builtin ranker better than top sellers and the
# dashboard, loaded in headless chromium, draws the experiment from the
# running services with a silent console.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
csv=${1:-$root/../shared/data/online-retail-first10k/OnlineRetail.csv}
out_dir=${OUT_DIR:-$build_dir/sim}
experiment=sim-builtin-vs-top-sellers
dir=""
pids=()

say() { printf '==> %s\n' "$*"; }
die() { printf 'simulate: FAILED: %s\n' "$*" >&2; exit 1; }

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    for _ in $(seq 1 250); do
      kill -0 "${pids[i]}" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  if [ -n "$dir" ]; then
    "$root/tools/dev/services.sh" stop "$dir" >/dev/null 2>&1 || true
    if [ "$status" = 0 ]; then rm -rf "$dir"; else echo "logs kept in $dir" >&2; fi
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

# Starts a service logging to $2 and waits until its log has "started"
# and $3; sets $ports to its gRPC and admin ports.
ports=()
start_service() {
  local name=$1 log=$2 ready=$3
  shift 3
  "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -n 20 "$log" >&2; die "$name exited"; }
    if grep -q '"event":"started"' "$log" && grep -q "$ready" "$log"; then
      # shellcheck disable=SC2207
      ports=($(grep -m1 -o '"event":"started".*' "$log" |
        grep -o '"\(port\|admin_port\)":[0-9]*' | cut -d: -f2))
      return
    fi
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "$name was not ready within 60 s"
}

[ -r "$csv" ] || die "cannot read $csv"
check=${SIM_CHECK:-0}
if [ "$check" != 1 ]; then
  say "Building tracking, recommender and smartshop into $build_dir"
  cmake -S "$root" -B "$build_dir" -G Ninja >/dev/null
  cmake --build "$build_dir" --target tracking recommender smartshop >/dev/null
fi
smartshop=$build_dir/tools/cli/smartshop
mkdir -p "$out_dir"

dir=$(mktemp -d "${TMPDIR:-/tmp}/smartshop-sim.XXXXXX")
"$root/tools/dev/services.sh" start "$dir" >/dev/null
set -a
# shellcheck disable=SC1091
. "$dir/env"
set +a
tools_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
recommender_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
(umask 077
  printf 'sim-tools read,write %s\nrecommender read,record %s\n' \
    "$tools_token" "$recommender_token" >"$dir/tracking.tokens"
  printf 'sim-tools read,write %s\n' "$tools_token" >"$dir/recommender.tokens")
export SMARTSHOP_TOKEN=$tools_token

say "Starting the tracking service and the recommender (experiment $experiment)"
start_service tracking "$dir/tracking.log" '"migrations_applied"' \
  "$build_dir/services/tracking/tracking" --listen=127.0.0.1:0 \
  --admin_listen=127.0.0.1:0 --auth_tokens_file="$dir/tracking.tokens"
tracking_port=${ports[0]}
export TRACKING_TOKEN=$recommender_token TRACKING_TARGET=127.0.0.1:$tracking_port
start_service recommender "$dir/recommender.log" '"event":"model_caught_up"' \
  "$build_dir/services/recommender/recommender" --listen=127.0.0.1:0 \
  --admin_listen=127.0.0.1:0 --auth_tokens_file="$dir/recommender.tokens" \
  --catalog_refresh_interval=2s \
  --experiments_file="$root/tools/sim/experiment.textproto"
recommender_port=${ports[0]}
admin_port=${ports[1]}

say "Replaying $(basename "$csv") as a shop (smartshop simulate)"
"$smartshop" simulate --tracking=127.0.0.1:$tracking_port \
  --recommender=127.0.0.1:$recommender_port --csv="$csv" \
  --experiment="$experiment" | tee "$out_dir/report.txt"
"$smartshop" simulate --help >/dev/null  # keeps the usage honest in CI logs

say "What the dashboard shows (http://127.0.0.1:$admin_port/dashboard)"
curl -sf -H "authorization: Bearer $tools_token" \
  "http://127.0.0.1:$admin_port/dashboard/data?range=24h" >"$out_dir/dashboard.json" ||
  die "the dashboard's data could not be read"
echo "    its data: $out_dir/dashboard.json ($(wc -c <"$out_dir/dashboard.json") bytes)"
chromium_args=(--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage
  --user-data-dir="$dir/chromium" --window-size=1280,2400
  --virtual-time-budget=8000)
page="http://127.0.0.1:$admin_port/dashboard#token=$tools_token"
if command -v chromium >/dev/null; then
  timeout 60 chromium "${chromium_args[@]}" --screenshot="$out_dir/dashboard.png" \
    "$page" >/dev/null 2>&1 && echo "    screenshot: $out_dir/dashboard.png"
fi
if [ "$check" = 1 ]; then
  say "Checking the report and the dashboard"
  grep -Eq '^builtin .* better ' "$out_dir/report.txt" ||
    die "the report does not find builtin better than top sellers"
  command -v chromium >/dev/null || die "chromium is not installed (tools/setup.sh installs it)"
  timeout 60 chromium "${chromium_args[@]}" --enable-logging=stderr --v=0 \
    --dump-dom "$page" >"$out_dir/dashboard.html" 2>"$out_dir/chromium.log" ||
    die "chromium failed (log: $out_dir/chromium.log)"
  points=$(grep -o 'data-series="shopper_conversion"' "$out_dir/dashboard.html" | wc -l)
  [ "$points" = 2 ] ||
    die "the experiment's chart has $points points, not 2 (page: $out_dir/dashboard.html)"
  grep -q 'data-chart="variant_rates"' "$out_dir/dashboard.html" ||
    die "no variant chart on the page"
  if grep -E 'CONSOLE|Uncaught' "$out_dir/chromium.log"; then
    die "the page wrote to the console (above)"
  fi
  echo "    report: builtin better; dashboard: the experiment drawn, console silent"
fi
if [ "${KEEP_SIM:-0}" = 1 ]; then
  echo "    dashboard token: $tools_token"
  read -r -p "Press Enter to stop the services. "
fi
