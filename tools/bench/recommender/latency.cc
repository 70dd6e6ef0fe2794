#include "tools/bench/recommender/latency.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_format.h"

namespace smartshop::recommender::bench {
namespace {

// Nearest rank: the smallest sample with at least q of all at or below it.
absl::Duration Percentile(const std::vector<int64_t>& sorted, double q) {
  const size_t rank =
      static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return absl::Nanoseconds(sorted[std::max<size_t>(rank, 1) - 1]);
}

double ToMillis(absl::Duration d) { return absl::ToDoubleMilliseconds(d); }

}  // namespace

LatencySummary Summarize(std::vector<int64_t> nanos) {
  LatencySummary s;
  if (nanos.empty()) return s;
  std::sort(nanos.begin(), nanos.end());
  s.count = static_cast<int64_t>(nanos.size());
  const long double total =
      std::accumulate(nanos.begin(), nanos.end(), static_cast<long double>(0));
  s.mean = absl::Nanoseconds(static_cast<int64_t>(total / nanos.size()));
  s.p50 = Percentile(nanos, 0.50);
  s.p90 = Percentile(nanos, 0.90);
  s.p99 = Percentile(nanos, 0.99);
  s.max = absl::Nanoseconds(nanos.back());
  return s;
}

std::string Millis(absl::Duration d) {
  return absl::StrFormat("%.3f", ToMillis(d));
}

std::string Micros(absl::Duration d) {
  return absl::StrFormat("%.1f", absl::ToDoubleMicroseconds(d));
}

boost::json::object ToJson(const LatencySummary& s) {
  boost::json::object o;
  o["count"] = s.count;
  o["mean_ms"] = ToMillis(s.mean);
  o["p50_ms"] = ToMillis(s.p50);
  o["p90_ms"] = ToMillis(s.p90);
  o["p99_ms"] = ToMillis(s.p99);
  o["max_ms"] = ToMillis(s.max);
  return o;
}

}  // namespace smartshop::recommender::bench
