#include "tools/bench/bench_runner.h"

#include <grpcpp/grpcpp.h>

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/bearer_channel.h"
#include "tools/bench/grpc_phases.h"

namespace smartshop::bench {
namespace {

using smartshop::v1::Interaction;

// Progress goes to stderr so that stdout holds only the report.
void Note(absl::string_view text) { std::cerr << text << std::endl; }

absl::Status CheckEmpty(const BenchConfig& config, BenchDatabase& db) {
  absl::StatusOr<int64_t> rows = db.CountInteractions();
  if (!rows.ok()) return rows.status();
  if (*rows > 0 && !config.truncate_existing) {
    return absl::FailedPreconditionError(absl::StrCat(
        "interactions already holds ", *rows,
        " rows and every phase truncates it; use a scratch database or pass "
        "--truncate_existing"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PhaseRun> Copy(BenchDatabase& db,
                              absl::Span<const Interaction> events) {
  absl::StatusOr<absl::Duration> elapsed = db.CopyIn(events);
  if (!elapsed.ok()) return elapsed.status();
  return PhaseRun{.elapsed = *elapsed};
}

absl::StatusOr<PhaseResult> RunPhase(
    const BenchConfig& config, const std::string& phase, BenchDatabase& db,
    const std::shared_ptr<grpc::Channel>& channel,
    absl::Span<const Interaction> events) {
  PhaseResult result;
  result.phase = phase;
  absl::StatusOr<PhaseRun> run;
  if (phase == kCopyPhase) {
    result.events = config.events;
    run = Copy(db, events.subspan(0, config.events));
  } else if (phase == kBatchPhase) {
    result.events = config.events;
    result.target_ratio = config.batch_target;
    run = RunTrackBatch(channel, events.subspan(0, config.events),
                        config.batch_size, config.batch_in_flight,
                        config.rpc_timeout);
  } else {
    result.events = config.unary_events;
    result.target_ratio = config.unary_target;
    run = RunUnaryTrack(channel, events.subspan(0, config.unary_events),
                        config.in_flight, config.rpc_timeout);
  }
  if (!run.ok()) {
    return absl::Status(run.status().code(),
                        absl::StrCat(phase, ": ", run.status().message()));
  }
  result.elapsed = run->elapsed;
  result.refused = run->refused;
  // OK replies are not proof: the rows must be there.
  absl::StatusOr<int64_t> rows = db.CountInteractions();
  if (!rows.ok()) return rows.status();
  if (*rows != result.events) {
    return absl::DataLossError(absl::StrCat(phase, ": sent ", result.events,
                                            " events but interactions holds ",
                                            *rows, " rows"));
  }
  return result;
}

}  // namespace

absl::StatusOr<std::vector<PhaseResult>> RunPhases(
    const BenchConfig& config, BenchDatabase& db,
    absl::Span<const Interaction> events) {
  auto channel = CreateToolChannel(config.target);
  for (const std::string& phase : config.phases) {
    if (phase == kCopyPhase) continue;
    // Also makes sure the service has created the table before TRUNCATE.
    if (absl::Status s = WaitUntilServing(channel, config.ready_timeout);
        !s.ok()) {
      return s;
    }
    break;
  }
  if (absl::Status s = CheckEmpty(config, db); !s.ok()) return s;
  std::vector<PhaseResult> results;
  bool warned = false;
  for (const std::string& phase : config.phases) {
    bool checkpointed = false;
    if (absl::Status s = db.Reset(&checkpointed); !s.ok()) return s;
    if (!checkpointed && !warned) {
      Note(
          "warning: CHECKPOINT not allowed; phases may pay for each other's "
          "writes");
      warned = true;
    }
    absl::StatusOr<PhaseResult> result =
        RunPhase(config, phase, db, channel, events);
    if (!result.ok()) return result.status();
    Note(absl::StrFormat("%s: %d events in %.3f s, %d calls refused", phase,
                         result->events, absl::ToDoubleSeconds(result->elapsed),
                         result->refused));
    results.push_back(*std::move(result));
  }
  return results;
}

}  // namespace smartshop::bench
