#!/usr/bin/env bash
# The whole test suite: set-up, build, then ctest, which starts its own
# Postgres and Redis on loopback (tools/dev/services.sh) for the integration
# tests and stops them afterwards (and builds and runs the fuzzers briefly);
# beside it, the unit tests again under AddressSanitizer + UBSan
# (tools/sanitize.sh, its own build in build-asan/). Arguments go to ctest.
# Each phase's wall time is printed at the end (where CI time goes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
phases=()
timed() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  phases+=("$name $((SECONDS - start)) s")
}
timed setup+build "$root/tools/setup.sh"
# The sanitized unit tests (their build, then their run) go beside ctest at
# the lowest priority: the integration tests spend most of their time
# waiting on sockets and timers, and every test process is scheduled before
# a niced compiler.
sanitize_log=$root/build/sanitize.log
setsid nice -n 19 "$root/tools/sanitize.sh" "$root/build-asan" \
  >"$sanitize_log" 2>&1 &
sanitize=$!
# Its own process group: a failed ctest stops the whole build with it.
trap 'kill -- -"$sanitize" 2>/dev/null || true' EXIT
run_ctest() { (cd "$root/build" && ctest --output-on-failure -j "$(nproc)" "$@"); }
timed ctest run_ctest "$@"
# Its verdicts when clean; the whole log (build errors included) if not.
wait_sanitize() {
  if wait "$sanitize"; then
    grep '^sanitize:' "$sanitize_log"
  else
    cat "$sanitize_log"
    return 1
  fi
}
timed sanitize-rest wait_sanitize
summary=$(printf '%s, ' "${phases[@]}")
echo "test: ${summary}total $SECONDS s"
