// How recommender_bench reports: a table for people, one JSON object for
// scripts. The hit figures are judged against the health baseline of the
// same run; the miss figures are the service's own time per call.
#ifndef SMARTSHOP_TOOLS_BENCH_RECOMMENDER_REPORT_H_
#define SMARTSHOP_TOOLS_BENCH_RECOMMENDER_REPORT_H_

#include <string>

#include "absl/time/time.h"
#include "tools/bench/recommender/hit_bench.h"
#include "tools/bench/recommender/miss_bench.h"

namespace smartshop::recommender::bench {

struct Targets {
  // Least hit req/s as a fraction of health req/s.
  double hit_ratio = 0.60;
  absl::Duration hit_p99 = absl::Milliseconds(2);
  absl::Duration miss_p50 = absl::Milliseconds(5);
};

// What was measured and how; either run may be absent (phase not run).
struct Report {
  const HitOptions* hit_options = nullptr;
  const HitRun* hit = nullptr;
  const MissOptions* miss_options = nullptr;
  const MissRun* miss = nullptr;
  Targets targets;
};

std::string FormatText(const Report& report);
// One line.
std::string FormatJson(const Report& report);

}  // namespace smartshop::recommender::bench

#endif  // SMARTSHOP_TOOLS_BENCH_RECOMMENDER_REPORT_H_
