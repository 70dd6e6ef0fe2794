#!/usr/bin/env bash
# The whole test suite: set-up, build, then ctest, which starts its own
# Postgres and Redis on loopback (tools/dev/services.sh) for the integration
# tests and stops them afterwards (and builds and runs the fuzzers briefly);
# then the unit tests again under AddressSanitizer + UBSan
# (tools/sanitize.sh, its own build in build-asan/). Arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
(cd "$root/build" && ctest --output-on-failure -j "$(nproc)" "$@")
"$root/tools/sanitize.sh" "$root/build-asan"
