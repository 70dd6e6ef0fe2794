// How the benchmark reports: a small table for people, JSON for scripts.
// Every phase is compared with the COPY baseline of the same run.
#ifndef SMARTSHOP_TOOLS_BENCH_BENCH_REPORT_H_
#define SMARTSHOP_TOOLS_BENCH_BENCH_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "boost/json.hpp"

namespace smartshop::bench {

// The phase every other one is compared with.
inline constexpr char kCopyPhase[] = "copy";

struct PhaseResult {
  std::string phase;
  int64_t events = 0;
  absl::Duration elapsed;
  // Calls refused for want of server threads and sent again.
  int64_t refused = 0;
  // Least acceptable events/s as a fraction of COPY's; unset = none.
  std::optional<double> target_ratio;
};

double EventsPerSecond(const PhaseResult& result);

// events/s of `result` over that of the COPY phase in `all`; unset when there
// is no COPY phase.
std::optional<double> RatioToCopy(const PhaseResult& result,
                                  absl::Span<const PhaseResult> all);

// One line per phase: phase, events, seconds, events/s, ratio vs COPY,
// target, PASS/MISS, refused calls.
std::string FormatTable(absl::Span<const PhaseResult> phases);

// {"config": config, "phases": [...]} on one line.
std::string FormatJson(absl::Span<const PhaseResult> phases,
                       const boost::json::object& config);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_BENCH_REPORT_H_
