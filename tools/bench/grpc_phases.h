// The benchmark's gRPC phases against a running tracking service: TrackBatch
// with a few batches in flight, and unary Track with many concurrent callers
// (which the server turns into group commits).
#ifndef SMARTSHOP_TOOLS_BENCH_GRPC_PHASES_H_
#define SMARTSHOP_TOOLS_BENCH_GRPC_PHASES_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::bench {

struct PhaseRun {
  // From the first call to the last reply.
  absl::Duration elapsed;
  // Calls the server refused for want of threads and that were sent again.
  int64_t refused = 0;
};

// Polls the standard health service until TrackingService is SERVING (the
// schema is migrated and the database answers); UNAVAILABLE after `timeout`.
absl::Status WaitUntilServing(const std::shared_ptr<grpc::Channel>& channel,
                              absl::Duration timeout);

// Sends `events` in TrackBatch calls of `batch_size`, `in_flight` at a time,
// each call bounded by `rpc_timeout` (a call the server refuses for want of
// threads is resent within that deadline, as a producer would). Fails on the
// first failed call or on any event the server did not newly store: the
// counts would not be comparable.
absl::StatusOr<PhaseRun> RunTrackBatch(
    const std::shared_ptr<grpc::Channel>& channel,
    absl::Span<const smartshop::v1::Interaction> events, int batch_size,
    int in_flight, absl::Duration rpc_timeout);

// Sends every event in its own Track call, `in_flight` at a time, kept in
// flight by gRPC's callback client: each call's completion starts the next.
// (One blocked thread per call took as much of the two shared cores as the
// server it measured; a producer on its own machine would not.) Fails on
// the first failed call or an event not newly stored.
absl::StatusOr<PhaseRun> RunUnaryTrack(
    const std::shared_ptr<grpc::Channel>& channel,
    absl::Span<const smartshop::v1::Interaction> events, int in_flight,
    absl::Duration rpc_timeout);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_GRPC_PHASES_H_
