// The miss-path benchmark: the service's own time for a cache miss when the
// model answers at once. RecommendationEngine::Get runs for a new user on
// every call (so every call misses) over an in-memory cache, a synthetic
// catalog and 50 + 50 interactions per call; the pure pieces of the same
// work are then timed one by one on the same inputs, for a breakdown.
// Single-threaded: this is time per request, not throughput.
#ifndef SMARTSHOP_TOOLS_BENCH_RECOMMENDER_MISS_BENCH_H_
#define SMARTSHOP_TOOLS_BENCH_RECOMMENDER_MISS_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/bench/recommender/latency.h"

namespace smartshop::recommender::bench {

struct MissOptions {
  int products = 10'000;
  // Measured calls, after `warmup_calls`; stops early after `max_time`.
  int calls = 2'000;
  int warmup_calls = 100;
  absl::Duration max_time = absl::Seconds(10);
  uint64_t seed = 42;
};

struct StageResult {
  std::string stage;
  // Not the service's own work (a fake standing in for I/O).
  bool fake = false;
  LatencySummary latency;
};

struct MissRun {
  LatencySummary engine;  // RecommendationEngine::Get, whole
  std::vector<StageResult> stages;
  // What one call produced, so a reader can check the work was real.
  int interactions = 0;      // rows the reader returned
  int summary_products = 0;  // products in the prompt's summary
  int64_t prompt_chars = 0;
  int model_items = 0;  // picks matched to the catalog
  int gap_fill_items = 0;
  int unmatched = 0;
  int duplicates = 0;
};

// Fails when an answer is not the model's 8 items: the figures would then
// describe a fallback, not the miss path.
absl::StatusOr<MissRun> RunMissBench(const MissOptions& options);

}  // namespace smartshop::recommender::bench

#endif  // SMARTSHOP_TOOLS_BENCH_RECOMMENDER_MISS_BENCH_H_
