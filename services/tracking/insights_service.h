// gRPC InsightsService (insights.proto): the recommender's served answers
// and the shop's impressions in (validated here, stored by an
// InsightsStore), grouped outcomes out (read by an InsightsReader).
#ifndef SMARTSHOP_SERVICES_TRACKING_INSIGHTS_SERVICE_H_
#define SMARTSHOP_SERVICES_TRACKING_INSIGHTS_SERVICE_H_

#include <atomic>
#include <memory>

#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/clock.h"
#include "common/edge_policy.h"
#include "services/tracking/insights_reader.h"
#include "services/tracking/insights_store.h"
#include "services/tracking/tracking_metrics.h"
#include "smartshop/v1/insights.grpc.pb.h"

namespace smartshop::tracking {

struct InsightsServiceOptions {
  // Bound on the work of a call whose caller set no deadline.
  absl::Duration max_call_time = absl::Seconds(30);
  // Where to count answers and impressions; may be null. Not owned.
  TrackingMetrics* metrics = nullptr;
  // Who may call which method (edge_policy.h, method_scopes.h).
  std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll();
};

class InsightsServiceImpl final
    : public smartshop::v1::InsightsService::Service {
 public:
  // `store`, `ready` and `clock` are not owned and must outlive the service;
  // so must `reader` unless null (GetInsights then answers UNIMPLEMENTED).
  // Calls fail with UNAVAILABLE until `ready` is true (schema migrated).
  InsightsServiceImpl(InsightsStore* store, InsightsReader* reader,
                      const std::atomic<bool>* ready, const Clock* clock,
                      InsightsServiceOptions options);

  grpc::Status RecordServed(
      grpc::ServerContext* context,
      const smartshop::v1::RecordServedRequest* request,
      smartshop::v1::RecordServedResponse* response) override;
  grpc::Status TrackImpressions(
      grpc::ServerContext* context,
      const smartshop::v1::TrackImpressionsRequest* request,
      smartshop::v1::TrackImpressionsResponse* response) override;
  grpc::Status GetInsights(
      grpc::ServerContext* context,
      const smartshop::v1::GetInsightsRequest* request,
      smartshop::v1::GetInsightsResponse* response) override;

 private:
  InsightsStore* const store_;
  InsightsReader* const reader_;
  const EdgePolicy edge_;
  const Clock* const clock_;
  const InsightsServiceOptions options_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INSIGHTS_SERVICE_H_
