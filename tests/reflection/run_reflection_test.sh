#!/usr/bin/env bash
# Runs tests/reflection/reflection_test.js (an independent Node.js gRPC client
# that knows the services only through server reflection) against a real
# tracking service and recommender:
#   - a fresh database on the Postgres of ENV_FILE for tracking, dropped after,
#   - tracking and the recommender on ports the kernel picks (port 0), read
#     from their JSON "started" log lines, ready once tracking logged
#     "migrations_applied" and the recommender "catalog_loaded",
#   - the recommender without OPENAI_API_KEY (so it never calls a model),
#     its catalog reloaded every second, its cache keys under a prefix of
#     their own on the Redis of ENV_FILE.
# Both services are stopped, and the database dropped, however it exits.
#
#   run_reflection_test.sh [ENV_FILE [TRACKING_BIN [RECOMMENDER_BIN]]]
#
# ENV_FILE (default $SMARTSHOP_TESTENV) holds KEY=VALUE lines with
# DATABASE_URL and REDIS_URL, as tools/dev/services.sh writes them.
# The binaries default to $TRACKING_BIN / $RECOMMENDER_BIN, else
# ${BUILD_DIR:-build}/services/{tracking/tracking,recommender/recommender}.
# Node.js (>= 18) and npm are needed; the npm packages are installed from
# package-lock.json (npm ci) when node_modules is missing or stale.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
env_file=${1:-${SMARTSHOP_TESTENV:-}}
tracking_bin=${2:-${TRACKING_BIN:-$build_dir/services/tracking/tracking}}
recommender_bin=${3:-${RECOMMENDER_BIN:-$build_dir/services/recommender/recommender}}

die() {
  printf 'run_reflection_test.sh: %s\n' "$*" >&2
  exit 1
}

[ -n "$env_file" ] || die "no env file: pass it as the first argument or in SMARTSHOP_TESTENV"
[ -r "$env_file" ] || die "cannot read the env file $env_file"
[ -x "$tracking_bin" ] || die "no tracking binary at $tracking_bin"
[ -x "$recommender_bin" ] || die "no recommender binary at $recommender_bin"
for tool in node npm psql; do
  command -v "$tool" >/dev/null ||
    die "$tool not found (Debian packages: nodejs, npm, postgresql-client)"
done

# Only the two values we need, without executing the file.
env_value() {
  sed -n "s/^$1=//p" "$env_file" | tail -n 1
}
database_url=$(env_value DATABASE_URL)
redis_url=$(env_value REDIS_URL)
[ -n "$database_url" ] || die "no DATABASE_URL in $env_file"
[ -n "$redis_url" ] || die "no REDIS_URL in $env_file"

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  echo "installing the test's npm packages (npm ci)"
  npm ci --prefix "$here" --no-audit --no-fund >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/smartshop-reflection.XXXXXX")
db_name=reflection_$$_$RANDOM
db_created=0
tracking_pid=""
recommender_pid=""

# The URL of another database on the same server: the path replaced,
# any ?query kept.
base=${database_url%%\?*}
query=${database_url#"$base"}
test_database_url=${base%/*}/$db_name$query

stop_process() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do  # drain_timeout is 2 s below
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_process "$recommender_pid"
  stop_process "$tracking_pid"
  if [ "$db_created" = 1 ]; then
    psql "$database_url" -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" >/dev/null ||
      echo "run_reflection_test.sh: could not drop database $db_name" >&2
  fi
  if [ "$status" != 0 ]; then
    for log in "$work"/*.log; do
      [ -f "$log" ] || continue
      printf '\n--- last lines of %s ---\n' "$(basename "$log")" >&2
      tail -n 30 "$log" >&2
    done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The port from a service's JSON "started" log line, once it is there.
logged_port() {
  grep -m1 '"event":"started"' "$1" 2>/dev/null | grep -o '"port":[0-9]*' |
    head -n 1 | cut -d: -f2 || true
}

# wait_ready NAME PID LOG EVENT: echoes the port once LOG has the "started"
# line and the EVENT line; fails if the process exits or 20 s pass.
wait_ready() {
  local name=$1 pid=$2 log=$3 event=$4 port=""
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
    [ -n "$port" ] || port=$(logged_port "$log")
    if [ -n "$port" ] && grep -q "\"event\":\"$event\"" "$log"; then
      echo "$port"
      return
    fi
    sleep 0.1
  done
  die "$name was not ready ($event) within 20 s"
}

psql "$database_url" -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db_name" >/dev/null
db_created=1

# Callers' bearer tokens: the test client reads and writes, the recommender
# only reads from tracking.
random_token() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
client_token=$(random_token)
recommender_token=$(random_token)
printf 'reflection-test read,write %s\nrecommender read,record %s\n' \
  "$client_token" "$recommender_token" >"$work/tracking.tokens"
printf 'reflection-test read,write %s\n' "$client_token" >"$work/recommender.tokens"

# Secrets reach the services through the environment, never argv.
DATABASE_URL=$test_database_url "$tracking_bin" --listen=127.0.0.1:0 \
  --admin_listen=127.0.0.1:0 --drain_timeout=2s \
  --auth_tokens_file="$work/tracking.tokens" >"$work/tracking.log" 2>&1 &
tracking_pid=$!
tracking_port=$(wait_ready tracking "$tracking_pid" "$work/tracking.log" migrations_applied)
echo "tracking serves on 127.0.0.1:$tracking_port (database $db_name)"

env -u OPENAI_API_KEY -u OPENAI_BASE_URL REDIS_URL="$redis_url" \
  TRACKING_TOKEN="$recommender_token" \
  "$recommender_bin" --listen=127.0.0.1:0 --admin_listen=127.0.0.1:0 \
  --tracking_target="127.0.0.1:$tracking_port" --catalog_refresh_interval=1s \
  --cache_prefix="${db_name}_" --drain_timeout=2s \
  --auth_tokens_file="$work/recommender.tokens" >"$work/recommender.log" 2>&1 &
recommender_pid=$!
recommender_port=$(wait_ready recommender "$recommender_pid" "$work/recommender.log" catalog_loaded)
echo "recommender serves on 127.0.0.1:$recommender_port"

SMARTSHOP_TOKEN=$client_token \
TRACKING_ADDR=127.0.0.1:$tracking_port RECOMMENDER_ADDR=127.0.0.1:$recommender_port \
  node "$here/reflection_test.js"
