// Latency distributions of benchmark calls: per-call samples in
// nanoseconds, summarised as nearest-rank percentiles.
#ifndef SMARTSHOP_TOOLS_BENCH_RECOMMENDER_LATENCY_H_
#define SMARTSHOP_TOOLS_BENCH_RECOMMENDER_LATENCY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "boost/json.hpp"

namespace smartshop::recommender::bench {

struct LatencySummary {
  int64_t count = 0;
  absl::Duration mean;
  absl::Duration p50;
  absl::Duration p90;
  absl::Duration p99;
  absl::Duration max;
};

// All zero for no samples. Takes the samples by value: it sorts them.
LatencySummary Summarize(std::vector<int64_t> nanos);

// Milliseconds with 3 decimals ("1.234"), for tables.
std::string Millis(absl::Duration d);
// Microseconds, one decimal.
std::string Micros(absl::Duration d);

// {"count", "mean_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"}.
boost::json::object ToJson(const LatencySummary& s);

}  // namespace smartshop::recommender::bench

#endif  // SMARTSHOP_TOOLS_BENCH_RECOMMENDER_LATENCY_H_
