// gRPC TrackingService: validation and limits at the edge, then the batch
// ingestor, the group committer and the interaction store.
#ifndef SMARTSHOP_SERVICES_TRACKING_TRACKING_SERVICE_H_
#define SMARTSHOP_SERVICES_TRACKING_TRACKING_SERVICE_H_

#include <atomic>

#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/clock.h"
#include "common/edge_policy.h"
#include "services/tracking/batch_ingestor.h"
#include "services/tracking/commit_signal.h"
#include "services/tracking/group_committer.h"
#include "services/tracking/insights_store.h"
#include "services/tracking/interaction_store.h"
#include "services/tracking/signalling_store.h"
#include "services/tracking/subscription.h"
#include "services/tracking/tracking_metrics.h"
#include "smartshop/v1/tracking.grpc.pb.h"

namespace smartshop::tracking {

struct TrackingServiceOptions {
  // Most events per TrackBatch call and per committed slice of a stream.
  int max_batch_size = 1000;
  // Bound on the work of a call whose caller set no deadline.
  absl::Duration max_call_time = absl::Seconds(30);
  // Most non-stored results listed in a StreamTrack reply.
  int max_stream_results = 10'000;
  // Threads committing grouped unary Track calls.
  int group_commit_writers = 4;
  // Most unary Track events waiting for their group commit; beyond,
  // RESOURCE_EXHAUSTED at once (GroupCommitterOptions::max_pending).
  int max_queued_events = 10'000;
  // Most Subscribe streams served at once; each holds a server thread.
  int max_subscriptions = 16;
  SubscriptionOptions subscription{};
  // Where Subscribe reads the log: a store over its own connection pool, so
  // that replaying replicas never take the connections ingest commits on
  // (and possibly over a read replica). Null = the main store. Not owned.
  InteractionStore* subscription_store = nullptr;
  // Where ListInteractions reads (a read replica). Null = the main store.
  // Not owned.
  InteractionStore* read_store = nullptr;
  // Where to count events and batch sizes; may be null. Not owned.
  TrackingMetrics* metrics = nullptr;
  // Where DeleteUserData also erases the user's served answers and
  // impressions (InsightsService); null = nothing to erase there. Not owned.
  InsightsStore* insights = nullptr;
  // Who may call which method (edge_policy.h, method_scopes.h). The
  // binaries set this from --auth_tokens_file (or --insecure_no_auth).
  std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll();
};

// Track uses the callback API: a unary event waits for its group commit
// without holding a server thread, so many concurrent producers cost no
// threads. The other methods use the sync API with its bounded pool.
class TrackingServiceImpl final
    : public smartshop::v1::TrackingService::WithCallbackMethod_Track<
          smartshop::v1::TrackingService::Service> {
 public:
  // `store`, `ready` and `clock` are not owned and must outlive the service.
  // Calls fail with UNAVAILABLE until `ready` is true (schema migrated).
  TrackingServiceImpl(InteractionStore* store, const std::atomic<bool>* ready,
                      const Clock* clock, TrackingServiceOptions options);

  grpc::ServerUnaryReactor* Track(
      grpc::CallbackServerContext* context,
      const smartshop::v1::TrackRequest* request,
      smartshop::v1::TrackResponse* response) override;
  grpc::Status TrackBatch(grpc::ServerContext* context,
                          const smartshop::v1::TrackBatchRequest* request,
                          smartshop::v1::TrackBatchResponse* response) override;
  grpc::Status StreamTrack(
      grpc::ServerContext* context,
      grpc::ServerReader<smartshop::v1::StreamTrackRequest>* reader,
      smartshop::v1::StreamTrackResponse* response) override;
  grpc::Status ListInteractions(
      grpc::ServerContext* context,
      const smartshop::v1::ListInteractionsRequest* request,
      smartshop::v1::ListInteractionsResponse* response) override;
  grpc::Status Subscribe(
      grpc::ServerContext* context,
      const smartshop::v1::SubscribeRequest* request,
      grpc::ServerWriter<smartshop::v1::SubscribeResponse>* writer) override;
  grpc::Status DeleteUserData(
      grpc::ServerContext* context,
      const smartshop::v1::DeleteUserDataRequest* request,
      smartshop::v1::DeleteUserDataResponse* response) override;

  // Ends every Subscribe stream (UNAVAILABLE) and refuses new ones, so that
  // a drain does not wait for subscribers, which reconnect elsewhere.
  void StopSubscriptions() { stopping_ = true; }

  // Unary Track events waiting for their group commit (for metrics).
  size_t queued_events() const { return committer_.pending(); }

 private:
  CommitSignal commit_signal_;
  SignallingStore signalling_store_;
  InteractionStore* const store_;
  const EdgePolicy edge_;
  const Clock* const clock_;
  const TrackingServiceOptions options_;
  BatchIngestor ingestor_;
  GroupCommitter committer_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> subscriptions_{0};
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_TRACKING_SERVICE_H_
