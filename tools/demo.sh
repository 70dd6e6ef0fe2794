#!/usr/bin/env bash
# The SmartShop demo, end to end on this machine: builds everything, starts a
# private Postgres and Redis and the tracking service, imports the UCI
# "Online Retail" sample, imports it again to show that a re-import stores
# nothing new, shows what the service holds, then starts the recommender and
# prints recommendations for a customer and for an anonymous visitor, then a
# product page, a cart, recently viewed and trending.
# Without OPENAI_API_KEY the model is the fake OpenAI server (tools/
# fake_openai) over HTTPS with a scripted answer, and the demo says so.
# Everything it starts is stopped when it exits, however it exits.
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
fake_pid=""         # the fake OpenAI server, when no key is set
recommender_pid=""
recommender_addr=""
smartshop=""        # the command line, once built
# A customer who bought on the sample's last day: the builtin ranker
# personalises for recent shoppers (a stale one sees what is trending).
demo_user=${DEMO_USER:-14081}
# A guest's checkout in the sample: an anonymous session with 145 lines.
demo_session=${DEMO_SESSION:-guest-536982}
step_no=0
readonly total_steps=11

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
  stop_process "$recommender_pid" recommender
  stop_process "$fake_pid" "fake OpenAI server"
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

# SIGTERM, then wait for the drain (up to 25 s) before SIGKILL.
stop_process() {
  local pid=$1 name=$2
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 250); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  say "$name stopped"
}

# While a service starts: dies with the tail of its log $2 when the process
# whose pid is in the variable named $1 has exited, and forgets that pid so
# that cleanup does not stop it again.
check_alive() {
  kill -0 "${!1}" 2>/dev/null && return
  tail -n 20 "$2" >&2
  printf -v "$1" ''
  die "the $3 exited during start-up (log above)"
}

# The port from a service's JSON "started" log line, once it is there.
logged_port() {
  grep -m1 -o '"event":"started".*"port":[0-9]*' "$1" 2>/dev/null |
    grep -o '"port":[0-9]*' | cut -d: -f2 || true
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
    cmake --build "$build_dir" --target tracking recommender smartshop fake_openai
  fi
  for binary in services/tracking/tracking services/recommender/recommender \
                tools/cli/smartshop tools/fake_openai/fake_openai; do
    [ -x "$build_dir/$binary" ] || die "the build did not produce $build_dir/$binary"
  done
  smartshop=$build_dir/tools/cli/smartshop
  say "built: tracking, recommender, smartshop (the command line), fake_openai"
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

# Every call carries a caller's bearer token, as in production: the demo's
# tools (SMARTSHOP_TOKEN) may read and write, the recommender may only read
# from tracking (TRACKING_TOKEN). Random per run; the files stay in demo_dir.
make_tokens() {
  step "Making callers' bearer tokens (authentication is on, as in production)"
  local tools_token recommender_token
  tools_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  recommender_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  (umask 077
    printf 'demo-tools read,write %s\nrecommender read,record %s\n' \
      "$tools_token" "$recommender_token" >"$demo_dir/tracking.tokens"
    printf 'demo-tools read,write %s\n' "$tools_token" >"$demo_dir/recommender.tokens")
  export SMARTSHOP_TOKEN=$tools_token TRACKING_TOKEN=$recommender_token
  say "tracking accepts: demo-tools (read,write), recommender (read); the recommender: demo-tools"
  say "grpcurl needs one too: -H 'authorization: Bearer <token from $demo_dir/tracking.tokens>'"
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
  "$build_dir/services/tracking/tracking" --listen=127.0.0.1:0 \
    --admin_listen=127.0.0.1:0 --auth_tokens_file="$demo_dir/tracking.tokens" \
    >"$log" 2>&1 &
  tracking_pid=$!
  for _ in $(seq 1 600); do
    check_alive tracking_pid "$log" "tracking service"
    [ -z "$port" ] && port=$(logged_port "$log")
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
  "$smartshop" import-retail --tracking="$tracking_addr" --csv="$csv" |
    tee "$demo_dir/import-$1.txt" | sed -u 's/^/    /'
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
  step "Importing $(basename "$csv") (smartshop import-retail)"
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
  step "What the tracking service now holds (smartshop inspect)"
  "$smartshop" inspect --tracking="$tracking_addr" |
    sed -u 's/^/    /'
  return "${PIPESTATUS[0]}"
}

# With OPENAI_API_KEY set, the recommender calls the real API (or
# OPENAI_BASE_URL). Without one it calls the fake over HTTPS, trusting the
# certificate the fake made for itself, with a scripted answer.
start_model() {
  if [ -n "${OPENAI_API_KEY:-}" ]; then
    step "Ranker: OpenAI at ${OPENAI_BASE_URL:-https://api.openai.com/v1} (OPENAI_API_KEY is set), builtin on failure"
    return
  fi
  if [ "${DEMO_FAKE_OPENAI:-0}" != 1 ]; then
    step "Ranker: no OPENAI_API_KEY, so the builtin ranker ranks"
    say "it learns the imported history from the tracking service's Subscribe stream"
    say "(DEMO_FAKE_OPENAI=1 shows the model path against the fake OpenAI server instead)"
    return
  fi
  step "Model: DEMO_FAKE_OPENAI=1, so the fake OpenAI server (tools/fake_openai) answers"
  local log=$demo_dir/fake_openai.log port=""
  "$build_dir/tools/fake_openai/fake_openai" --listen=127.0.0.1:0 \
    --make_cert_dir="$demo_dir/fake-cert" --port_file="$demo_dir/fake.port" \
    >"$log" 2>&1 &
  fake_pid=$!
  for _ in $(seq 1 100); do
    port=$(cat "$demo_dir/fake.port" 2>/dev/null || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { tail -n 20 "$log" >&2; die "the fake OpenAI server did not start"; }
  export OPENAI_API_KEY=demo-key-for-the-fake-server
  export OPENAI_BASE_URL=https://127.0.0.1:$port/v1
  export OPENAI_CA_FILE=$demo_dir/fake-cert/cert.pem
  say "fake OpenAI on $OPENAI_BASE_URL with a self-signed certificate the recommender trusts"
  say "its scripted answer: eight Online Retail products, the same for everyone"
}

start_recommender() {
  step "Starting the recommender"
  local log=$demo_dir/recommender.log port=""
  TRACKING_TARGET=$tracking_addr \
    "$build_dir/services/recommender/recommender" --listen=127.0.0.1:0 \
    --admin_listen=127.0.0.1:0 --auth_tokens_file="$demo_dir/recommender.tokens" \
    >"$log" 2>&1 &
  recommender_pid=$!
  for _ in $(seq 1 300); do
    check_alive recommender_pid "$log" recommender
    [ -z "$port" ] && port=$(logged_port "$log")
    if [ -n "$port" ] && grep -q '"event":"catalog_loaded"' "$log" &&
      grep -q '"event":"model_caught_up"' "$log"; then
      recommender_addr=127.0.0.1:$port
      say "recommender (pid $recommender_pid) serves on $recommender_addr; catalog loaded"
      say "builtin model: $(grep -m1 -o '"events":[0-9]*,"products":[0-9]*,"model_bytes":[0-9]*' "$log" |
        sed 's/"events":\([0-9]*\),"products":\([0-9]*\),"model_bytes":\([0-9]*\)/\1 events learnt, \2 products, \3 bytes/')"
      say "its JSON log: $log"
      return
    fi
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "the recommender was not ready within 30 s (log above)"
}

recommend() {
  local recommend=("$smartshop" recommend --recommender="$recommender_addr")
  step "Recommendations for customer $demo_user, guest session $demo_session and an anonymous visitor"
  say "customer $demo_user:"
  "${recommend[@]}" --user_id="$demo_user" |
    sed -u 's/^/      /'
  say "guest session $demo_session (personalised by the session's own events):"
  "${recommend[@]}" --session_key="$demo_session" |
    sed -u 's/^/      /'
  say "anonymous visitor without a session:"
  "${recommend[@]}" | sed -u 's/^/      /'
  say "customer $demo_user again (now from the Redis cache):"
  "${recommend[@]}" --user_id="$demo_user" |
    sed -u 's/^/      /'
}

# The other pages a shop fills: the product page of the customer's first
# recommendation, a cart holding it and the second, what is trending (in the
# sample's own time, December 2010), and the customer's recently viewed
# products once they have viewed two.
placements() {
  local recommend=("$smartshop" recommend --recommender="$recommender_addr")
  step "The other pages: a product page, a cart, trending and recently viewed"
  local ids first second
  ids=$("${recommend[@]}" --user_id="$demo_user" --json |
    sed -n 's/^ *"id": "\([0-9]*\)".*/\1/p' | head -n 2 | tr '\n' ' ')
  read -r first second <<<"$ids"
  [ -n "$second" ] || die "no two products to show a product page and a cart for"
  say "product page of product $first (anonymous visitors share this answer):"
  "${recommend[@]}" --placement=product --product_id="$first" |
    sed -u 's/^/      /'
  say "customer $demo_user's cart holding $first and $second:"
  "${recommend[@]}" --placement=cart --cart="$first,$second" \
    --user_id="$demo_user" | sed -u 's/^/      /'
  say "trending this week (against the last eight weeks):"
  "${recommend[@]}" --placement=trending --trending_window=week --limit=5 |
    sed -u 's/^/      /'
  say "customer $demo_user views $second, then $first (smartshop track):"
  for viewed in "$second" "$first"; do
    "$smartshop" track --tracking="$tracking_addr" --user_id="$demo_user" \
      --type=view_product --product_id="$viewed" | sed -u 's/^/      /'
  done
  say "customer $demo_user's recently viewed products, newest first:"
  "${recommend[@]}" --placement=recently-viewed --user_id="$demo_user" |
    sed -u 's/^/      /'
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  check_input
  build
  start_services
  make_tokens
  start_tracking
  import_data
  import_again
  inspect || die "smartshop inspect failed"
  start_model
  start_recommender
  recommend || die "smartshop recommend failed"
  placements || die "smartshop recommend --placement failed"
}

main "$@"
