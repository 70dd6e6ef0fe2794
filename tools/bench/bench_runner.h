// Runs the benchmark's phases in order, each from an empty interactions
// table, and checks after each that every event it sent is stored.
#ifndef SMARTSHOP_TOOLS_BENCH_BENCH_RUNNER_H_
#define SMARTSHOP_TOOLS_BENCH_BENCH_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/bench/bench_database.h"
#include "tools/bench/bench_report.h"

namespace smartshop::bench {

// The other phases; kCopyPhase is in bench_report.h.
inline constexpr char kBatchPhase[] = "track_batch";
inline constexpr char kUnaryPhase[] = "track_unary";

struct BenchConfig {
  std::string target;  // the tracking service's gRPC address
  int events = 0;      // per COPY and TrackBatch phase
  int batch_size = 0;
  int batch_in_flight = 0;
  int unary_events = 0;
  int in_flight = 0;  // concurrent unary calls
  absl::Duration rpc_timeout;
  absl::Duration ready_timeout;
  std::vector<std::string> phases;  // each one of the k*Phase names
  double batch_target = 0;
  double unary_target = 0;
  bool truncate_existing = false;
};

// REQUIRES: `events` holds at least max(events, unary_events) valid events.
// Refuses to start on a non-empty table unless truncate_existing. Any error,
// including rows missing after a phase, stops the run.
absl::StatusOr<std::vector<PhaseResult>> RunPhases(
    const BenchConfig& config, BenchDatabase& db,
    absl::Span<const smartshop::v1::Interaction> events);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_BENCH_RUNNER_H_
