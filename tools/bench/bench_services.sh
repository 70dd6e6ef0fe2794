# Sourced by the benchmark scripts: a private Postgres and Redis (tools/dev/
# services.sh) on free loopback ports under a temporary directory.
#
#   bench_services_start DIR   starts them under DIR/services and exports
#                              DATABASE_URL and REDIS_URL
#   bench_stop_process PID     SIGTERM to PID (if set and alive), and waits
#   bench_services_stop DIR    stops them and waits until Redis has exited
#                              (services.sh only signals it, and Redis still
#                              writes its log while exiting, which would race
#                              removing DIR)
bench_services_start() {
  "$root/tools/dev/services.sh" start "$1/services" >/dev/null
  set -a
  # shellcheck disable=SC1091
  . "$1/services/env"
  set +a
}

bench_services_stop() {
  local redis_pid
  redis_pid=$(cat "$1/services/redis.pid" 2>/dev/null || true)
  "$root/tools/dev/services.sh" stop "$1/services" >/dev/null 2>&1 || true
  for _ in $(seq 1 50); do
    if [ -z "$redis_pid" ] || ! kill -0 "$redis_pid" 2>/dev/null; then return; fi
    sleep 0.1
  done
}

bench_stop_process() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
