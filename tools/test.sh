#!/usr/bin/env bash
# The whole test suite: set-up, build, then ctest, which starts its own
# Postgres and Redis on loopback (tools/dev/services.sh) for the integration
# tests and stops them afterwards (and builds and runs the fuzzers briefly);
# then the unit tests again under AddressSanitizer + UBSan
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
run_ctest() { (cd "$root/build" && ctest --output-on-failure -j "$(nproc)" "$@"); }
timed ctest run_ctest "$@"
timed sanitize "$root/tools/sanitize.sh" "$root/build-asan"
summary=$(printf '%s, ' "${phases[@]}")
echo "test: ${summary}total $SECONDS s"
