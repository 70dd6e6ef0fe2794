// Reads a service's Prometheus page on its admin port (loopback HTTP), for
// the figures a benchmark takes from the service's own counters.
#ifndef SMARTSHOP_TOOLS_BENCH_ADMIN_METRICS_H_
#define SMARTSHOP_TOOLS_BENCH_ADMIN_METRICS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace smartshop::bench {

// GET http://127.0.0.1:<port>/metrics within 5 s; UNAVAILABLE otherwise.
absl::StatusOr<std::string> ScrapeMetrics(int port);

// The sum of every sample of `name` (exactly that name, any labels) whose
// label text contains `label_filter` (e.g. `result="hit"`; "" = all).
// 0 when there is none.
double SumSamples(absl::string_view exposition, absl::string_view name,
                  absl::string_view label_filter = "");

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_ADMIN_METRICS_H_
