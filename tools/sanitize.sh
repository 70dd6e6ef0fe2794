#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (g++) into BUILD_DIR and runs them: memory errors, leaks and undefined
# behaviour fail the run. The tests that need Postgres or Redis are left to
# the normal suite.
#   bash tools/sanitize.sh [BUILD_DIR]     (default build-asan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-asan}
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
tests=(
  common/common_test
  services/tracking/tracking_unit_test
  services/recommender/recommender_unit_test
  services/recommender/cache/recommender_cache_unit_test
  services/recommender/openai/openai_client_unit_test
  services/recommender/openai/openai_client_test
  tools/import/import_unit_test
  tools/cli/cli_unit_test
  tools/eval/eval_unit_test
  tools/fake_openai/fake_openai_test
)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
targets=()
for t in "${tests[@]}"; do targets+=("$(basename "$t")"); done
cmake --build "$build" --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in "${tests[@]}"; do
  if "$build/$t" --gtest_brief=1 >"$build/$(basename "$t").log" 2>&1; then
    echo "sanitize: $(basename "$t") clean"
  else
    status=1
    echo "sanitize: $(basename "$t") FAILED; last lines of its log:"
    tail -n 40 "$build/$(basename "$t").log"
  fi
done
exit "$status"
