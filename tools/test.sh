#!/usr/bin/env bash
# The whole test suite: set-up, build, then ctest, which starts its own
# Postgres and Redis on loopback (tools/dev/services.sh) for the integration
# tests and stops them afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
cd "$root/build"
ctest --output-on-failure -j "$(nproc)" "$@"
