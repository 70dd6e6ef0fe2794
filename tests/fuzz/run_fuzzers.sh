#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer +
# UndefinedBehaviorSanitizer) into BUILD_DIR and runs each for SECONDS on its
# committed seed corpus (tests/fuzz/corpus/<target>). Exit 1 on any finding:
# the crashing input is kept in BUILD_DIR/findings/ and its path printed; add
# it to the corpus and fix the bug (it then stays a regression test).
#   bash tests/fuzz/run_fuzzers.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build/fuzz}
seconds=${2:-20}

cmake -S "$root/tests/fuzz" -B "$build" -G Ninja >/dev/null
cmake --build "$build"
mkdir -p "$build/findings"

status=0
for target in model_reply interaction csv_import; do
  seeds=$root/tests/fuzz/corpus/${target%_import}
  [ "$target" = csv_import ] && seeds=$root/tests/fuzz/corpus/csv
  # New inputs go to a scratch copy, never into the committed corpus.
  scratch=$build/corpus/$target
  mkdir -p "$scratch"
  echo "fuzz: $target for ${seconds}s (seeds: ${seeds#$root/})"
  if ! "$build/${target}_fuzzer" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/findings/$target-" "$scratch" "$seeds" \
      >"$build/$target.log" 2>&1; then
    status=1
    echo "fuzz: $target FOUND A PROBLEM; last lines of $build/$target.log:"
    tail -n 30 "$build/$target.log"
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" \
      "$build/$target.log" | sed "s/^/fuzz: $target /"
  fi
done
exit "$status"
