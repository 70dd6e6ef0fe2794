#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer
# (clang when installed, else g++) into BUILD_DIR and runs them: memory
# errors, leaks and undefined behaviour fail the run. CI runs this (tools/test.sh ends with it).
#   bash tools/sanitize.sh [BUILD_DIR]         (default build-asan)
#   bash tools/sanitize.sh --build-only [BUILD_DIR]   (builds, runs nothing)
#
# Debug info is line tables only (-g1): what ASan's stack traces print,
# at a fraction of the compile time.
#
# --all builds the whole tree the same way and runs the whole ctest suite
# under the sanitizers, integration, process and fault tests included (the
# service binaries they start are sanitized too; the fixture starts Postgres
# and Redis). A half-hour build and 6 minutes of tests on 2 cores: run by
# hand, not in CI.
#   bash tools/sanitize.sh --all [BUILD_DIR [CTEST_ARGS...]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
all=0
build_only=0
if [ "${1:-}" = --all ]; then all=1; shift; fi
if [ "${1:-}" = --build-only ]; then build_only=1; shift; fi
build=${1:-$root/build-asan}
shift || true
# clang compiles the sanitized code in half the CPU time of g++ (the Beast
# client's unit 21 s against 41 s, a test unit 11 s against 22 s); it also
# gives what the fuzzers use. tools/setup.sh installs it.
cxx=$(command -v clang++-14 || command -v g++)
flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
if [ "$all" = 1 ]; then
  # Services run under load here: a smaller quarantine keeps ASan's own
  # memory from passing the overload test's bound (use-after-free is still
  # caught while the freed block sits in it).
  export ASAN_OPTIONS=$ASAN_OPTIONS:quarantine_size_mb=32
  # Third-party leaks, each explained in the file; symbolized to match.
  export LSAN_OPTIONS=suppressions=$root/tools/lsan.supp
  for symbolizer in llvm-symbolizer /usr/lib/llvm-14/bin/llvm-symbolizer; do
    command -v "$symbolizer" >/dev/null && { export ASAN_SYMBOLIZER_PATH=$(command -v "$symbolizer"); break; }
  done
  # Sanitized code is slower: the service-backed tests get longer timeouts.
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DSMARTSHOP_JEMALLOC=OFF \
    -DSMARTSHOP_TEST_TIMEOUT=600 >/dev/null
  cmake --build "$build"
  # fuzz_smoke builds its own clang+ASan targets; the rest is what CI runs.
  # deploy_runtime_libs compares release images with the binaries: the
  # sanitizer runtimes are, rightly, in no image.
  (cd "$build" && ctest --output-on-failure -E '^(fuzz_smoke|deploy_runtime_libs_.*)$' "$@") &&
    { echo "sanitize --all: the whole suite is clean"; exit 0; }
  echo "sanitize --all: failures above"
  exit 1
fi
tests=(
  common/common_test
  services/tracking/tracking_unit_test
  services/recommender/recommender_unit_test
  services/recommender/dashboard/recommender_dashboard_test
  services/recommender/cache/recommender_cache_unit_test
  services/recommender/openai/openai_client_unit_test
  services/recommender/openai/openai_client_test
  tools/import/import_unit_test
  tools/cli/cli_unit_test
  tools/eval/eval_unit_test
  tools/fake_openai/fake_openai_test
)
# Each target's sources in one unity unit: the least CPU (this build runs
# beside ctest, niced), parallelism matters less here.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DSMARTSHOP_UNITY_BATCH_SIZE=0 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" -DSMARTSHOP_JEMALLOC=OFF >/dev/null
targets=()
for t in "${tests[@]}"; do targets+=("$(basename "$t")"); done
cmake --build "$build" --target "${targets[@]}"
[ "$build_only" = 0 ] || exit 0
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
