// One Subscribe call: the backlog after the caller's position in pages, then
// new commits as they happen (woken by this process's CommitSignal, or by a
// poll for commits made by other replicas). While one page of the backlog is
// sent, the next is read, so a replaying replica waits on the database and
// the network at the same time rather than in turn.
#ifndef SMARTSHOP_SERVICES_TRACKING_SUBSCRIPTION_H_
#define SMARTSHOP_SERVICES_TRACKING_SUBSCRIPTION_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/sync_stream.h>

#include <atomic>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/tracking/commit_signal.h"
#include "services/tracking/interaction_store.h"
#include "smartshop/v1/tracking.pb.h"

namespace smartshop::tracking {

struct SubscriptionOptions {
  // Events per database read. Larger than a message: each read walks the
  // log index once and pays one round trip, whatever its length.
  int page_size = 5000;
  // Most events per message (the contract says at most 1000).
  int max_message_events = 1000;
  // A message is sent once it holds this many bytes, well under the 4 MiB
  // gRPC default: events can be 20 KiB each.
  size_t max_message_bytes = 1 << 20;

  // How often the database is read when this process commits nothing:
  // the delay before commits made through other replicas are seen.
  absl::Duration poll_interval = absl::Milliseconds(200);
  // Bound on each database read.
  absl::Duration read_timeout = absl::Seconds(5);
};

// INVALID_ARGUMENT for a bad request, else OK.
absl::Status ValidateSubscribeRequest(
    const smartshop::v1::SubscribeRequest& request);

// The opaque resume token of a position ("<txid>.<sequence>"), and back;
// "" is the beginning of the log.
std::string EncodePosition(const LogPosition& position);
absl::StatusOr<LogPosition> DecodePosition(absl::string_view token);

// Streams until the caller cancels or its deadline passes (OK), the store
// fails (UNAVAILABLE, whatever the store's error: resume from the last
// position after a pause) or `stopping` becomes true (UNAVAILABLE: the
// server is draining). REQUIRES: a valid request.
grpc::Status ServeSubscription(
    const smartshop::v1::SubscribeRequest& request, InteractionStore& store,
    const CommitSignal& signal, const std::atomic<bool>& stopping,
    const SubscriptionOptions& options, grpc::ServerContext& context,
    grpc::ServerWriterInterface<smartshop::v1::SubscribeResponse>& writer);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_SUBSCRIPTION_H_
