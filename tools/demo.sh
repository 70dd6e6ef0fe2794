#!/usr/bin/env bash
# The SmartShop demo, end to end on this machine: builds everything, starts a
# private Postgres and Redis and the tracking service, imports the UCI
# "Online Retail" sample, imports it again to show that a re-import stores
# nothing new, and shows what the service holds. Everything it starts is
# stopped when it exits, however it exits.
#
#   tools/demo.sh [CSV]
#
# CSV (or $DEMO_CSV) overrides the data file; default
# ../shared/data/online-retail-first10k/OnlineRetail.csv beside the repo.
# BUILD_DIR (default build) names the build directory; any other directory
# skips tools/setup.sh (so packages must be installed already) and builds only
# the demo's targets there. KEEP_DEMO_DIR=1 keeps the logs and the database
# directory after the demo.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
case "$build_dir" in /*) ;; *) build_dir=$root/$build_dir ;; esac
csv=${1:-${DEMO_CSV:-$root/../shared/data/online-retail-first10k/OnlineRetail.csv}}

demo_dir=""      # temporary directory: services, logs
tracking_pid=""  # the tracking service we started
tracking_addr=""
step_no=0
readonly total_steps=6

step() {
  step_no=$((step_no + 1))
  printf '\n==> [%d/%d] %s\n' "$step_no" "$total_steps" "$*"
}

say() { printf '    %s\n' "$*"; }

die() {
  printf '\ndemo: FAILED: %s\n' "$*" >&2
  exit 1
}

# Stops what this script started, in reverse order. Runs on every exit.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  printf '\n==> Stopping everything the demo started\n'
  if [ -n "$tracking_pid" ] && kill -0 "$tracking_pid" 2>/dev/null; then
    kill -TERM "$tracking_pid" 2>/dev/null || true
    # The service drains in-flight calls for up to its drain timeout (20 s).
    for _ in $(seq 1 250); do
      kill -0 "$tracking_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$tracking_pid" 2>/dev/null; then
      say "tracking did not stop within 25 s; killing it"
      kill -KILL "$tracking_pid" 2>/dev/null || true
    fi
    wait "$tracking_pid" 2>/dev/null || true
    say "tracking service stopped"
  fi
  if [ -n "$demo_dir" ]; then
    local redis_pid
    redis_pid=$(cat "$demo_dir/redis.pid" 2>/dev/null || true)
    "$root/tools/dev/services.sh" stop "$demo_dir" || true
    # services.sh signals Redis without waiting; it still writes its log
    # while exiting, which would race the rm below.
    if [ -n "$redis_pid" ]; then
      for _ in $(seq 1 50); do
        kill -0 "$redis_pid" 2>/dev/null || break
        sleep 0.1
      done
    fi
    say "Postgres and Redis stopped"
    if [ "${KEEP_DEMO_DIR:-0}" = 1 ] || [ "$status" != 0 ]; then
      say "logs kept in $demo_dir"
    else
      rm -rf "$demo_dir"
    fi
  fi
  if [ "$status" = 0 ]; then
    printf '\ndemo: done\n'
  else
    printf '\ndemo: stopped with exit status %d\n' "$status" >&2
  fi
  exit "$status"
}

check_input() {
  [ -r "$csv" ] || die "cannot read the data file $csv (pass another as the first argument or in DEMO_CSV)"
}

build() {
  if [ "$build_dir" = "$root/build" ]; then
    step "Installing packages and building (tools/setup.sh)"
    "$root/tools/setup.sh"
  else
    step "Building the demo's targets into $build_dir (BUILD_DIR set: tools/setup.sh skipped)"
    cmake -S "$root" -B "$build_dir" -G Ninja >/dev/null
    cmake --build "$build_dir" --target tracking smartshop_import smartshop_inspect
  fi
  for binary in services/tracking/tracking tools/import/smartshop_import \
                tools/import/smartshop_inspect; do
    [ -x "$build_dir/$binary" ] || die "the build did not produce $build_dir/$binary"
  done
  say "built: tracking, smartshop_import, smartshop_inspect"
}

start_services() {
  step "Starting a private Postgres and Redis (tools/dev/services.sh)"
  demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/smartshop-demo.XXXXXX")
  "$root/tools/dev/services.sh" start "$demo_dir" >/dev/null
  # shellcheck disable=SC1091
  . "$demo_dir/env"
  export DATABASE_URL REDIS_URL
  say "Postgres on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT (data in $demo_dir)"
}

# Starts tracking on a port the kernel picks (--listen=127.0.0.1:0, so no
# other process can take it between choosing and binding), learns the port
# from the service's "started" log line, and waits for "migrations_applied",
# which it logs once it serves requests.
start_tracking() {
  step "Starting the tracking service"
  local log=$demo_dir/tracking.log port=""
  # DATABASE_URL reaches it through the environment, not the command line,
  # which any local user can read in ps.
  "$build_dir/services/tracking/tracking" --listen=127.0.0.1:0 >"$log" 2>&1 &
  tracking_pid=$!
  for _ in $(seq 1 600); do
    kill -0 "$tracking_pid" 2>/dev/null || {
      tail -n 20 "$log" >&2
      tracking_pid=""
      die "the tracking service exited during start-up (log above)"
    }
    [ -z "$port" ] && port=$(grep -m1 -o '"event":"started".*"port":[0-9]*' "$log" |
      grep -o '"port":[0-9]*' | cut -d: -f2 || true)
    if [ -n "$port" ] && grep -q '"migrations_applied"' "$log"; then
      tracking_addr=127.0.0.1:$port
      say "tracking (pid $tracking_pid) serves on $tracking_addr; schema migrated"
      say "its JSON log: $log"
      return
    fi
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "the tracking service was not ready within 60 s (log above)"
}

# Progress goes to stderr as it is; the summary is kept for summary_value
# and shown indented (sed -u: unbuffered, to keep its place among progress).
run_import() {
  "$build_dir/tools/import/smartshop_import" --target="$tracking_addr" \
    --csv="$csv" | tee "$demo_dir/import-$1.txt" | sed -u 's/^/    /'
  return "${PIPESTATUS[0]}"
}

# The first number on the line of import summary $1 that starts with $2
# ("stored", "products upserted", ...).
summary_value() {
  awk -v name="$2" '{ line = $0; sub(/^ +/, "", line) }
    index(line, name " ") == 1 {
      for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) { print $i; exit }
    }' "$demo_dir/import-$1.txt"
}

import_data() {
  step "Importing $(basename "$csv") (smartshop_import)"
  run_import first || die "the import failed (exit status $?)"
  say "-> stored $(summary_value first stored) events and upserted $(summary_value first "products upserted") products"
}

import_again() {
  step "Importing the same file again: nothing new should be stored"
  run_import second || die "the second import failed (exit status $?)"
  local stored duplicates
  stored=$(summary_value second stored)
  duplicates=$(summary_value second duplicates)
  [ "$stored" = 0 ] ||
    die "the second import stored $stored events; event ids are not deterministic"
  say "-> stored 0, duplicates $duplicates: the import is idempotent"
}

inspect() {
  step "What the tracking service now holds (smartshop_inspect)"
  "$build_dir/tools/import/smartshop_inspect" --target="$tracking_addr" |
    sed -u 's/^/    /'
  return "${PIPESTATUS[0]}"
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  check_input
  build
  start_services
  start_tracking
  import_data
  import_again
  inspect || die "smartshop_inspect failed"
}

main "$@"
