#!/usr/bin/env bash
# Runs every fault scenario (through ctest, so Postgres and Redis are
# started as the tests need them) and prints a table: scenario, result,
# load held, errors seen, events lost, slowest call and its deadline (where
# the scenario measures them: the load scenarios; the Postgres-outage and
# model scenarios make their calls one by one and assert their own
# outcome). Exit 1 if any scenario failed.
#   bash tests/fault/run_fault_suite.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
[ -f "$build/CTestTestfile.cmake" ] ||
  { echo "run_fault_suite: no build in $build (run tools/setup.sh)" >&2; exit 2; }

# scenario|ctest regex
scenarios=(
  "Postgres restarted under 4 streaming producers|PostgresRestartFault"
  "Postgres away: UNAVAILABLE, then recovery|PostgresOutageTest|TrackingProcessTest.StartsWithoutPostgres"
  "Redis restarted under 6 callers + a producer|RedisRestartFault|RecommenderRedisOutageTest"
  "Redis hung (SIGSTOP) under 6 callers + a producer|RedisHungFault|RedisHungTest"
  "Tracking restarted under 6 callers + a producer|TrackingRestartFault|TrackingDownAnswersFromTheSnapshot|ResumesAfterTrackingRestarts"
  "Model: reset, 401, 429 storm, slow, 5xx burst + breaker|ModelFaultsTest|AHangingModelCosts|EveryModelErrorFallsBack"
  "Overload: 48 callers, 4 server threads, a hanging model|OverloadFault"
  "Model slow (1.5 s) under 300 ms page deadlines, hot key|SlowModelHotKey|AWaiterAnswersBuiltin|AShortFirstDeadline|AHangingModelOpensTheBreaker|TheBulkhead"
  "Two recommender replicas erasing and invalidating|TwoReplicasErase|FencesOff|AnErasureOnOneReplica|InvalidateAllOnOneReplica"
)

logs=$(mktemp -d "${TMPDIR:-/tmp}/fault-suite.XXXXXX")
trap 'rm -rf "$logs"' EXIT
failed=0
rows=()
n=0
for entry in "${scenarios[@]}"; do
  name=${entry%%|*}
  regex=${entry#*|}
  n=$((n + 1))
  log=$logs/$n.log
  start=$(date +%s)
  if (cd "$build" && ctest -R "$regex" --output-on-failure -V >"$log" 2>&1) &&
     ! grep -q "No tests were found" "$log"; then
    result=PASS
  else
    result=FAIL
    failed=1
  fi
  seconds=$(( $(date +%s) - start ))
  fault=$(grep -o 'FAULT scenario=.*' "$log" | head -n 1 || true)
  load=$(sed -n 's/.*load=\([^ ]*\).*/\1/p' <<<"$fault")
  errors=$(sed -n 's/.*errors=\([^ ]*\).*/\1/p' <<<"$fault")
  lost=$(sed -n 's/.*lost=\([^ ]*\).*/\1/p' <<<"$fault")
  slowest=$(sed -n 's/.*slowest_ms=\([^ ]*\).*/\1/p' <<<"$fault")
  deadline=$(sed -n 's/.*deadline_ms=\([^ ]*\).*/\1/p' <<<"$fault")
  [ -z "$slowest" ] || slowest="$slowest ms${deadline:+ of $deadline}"
  model_calls=$(sed -n 's/.*model_calls=\([^ ]*\).*/\1/p' <<<"$fault")
  # The scenario's own tests, not the fixture that starts Postgres and Redis.
  tests=$(grep -E "Test +#[0-9]+: .* (Passed|Failed)" "$log" |
    grep -cv "services_" || true)
  rows+=("$name|$result|${load:--}|${errors:--}|${lost:--}|${slowest:--}|${model_calls:--}|$tests|${seconds}s")
  [ "$result" = PASS ] || { echo "--- $name: last lines of its log" >&2; tail -n 40 "$log" >&2; }
done

printf '\n%-56s %-6s %-26s %-7s %-13s %-14s %-11s %-5s %s\n' \
  scenario result "load held" errors "events lost" slowest "model calls" \
  tests time
for row in "${rows[@]}"; do
  IFS='|' read -r name result load errors lost slowest model_calls tests \
    seconds <<<"$row"
  printf '%-56s %-6s %-26s %-7s %-13s %-14s %-11s %-5s %s\n' \
    "$name" "$result" "${load//_/ }" "$errors" "$lost" "$slowest" \
    "$model_calls" "$tests" "$seconds"
done
exit "$failed"
