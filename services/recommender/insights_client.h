// What the recommender asks tracking about outcomes: InsightsService's
// grouped served answers, clicks and conversions (for experiment reports
// and the dashboard).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_INSIGHTS_CLIENT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_INSIGHTS_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "smartshop/v1/insights.grpc.pb.h"

namespace smartshop::recommender {

class InsightsClient {
 public:
  virtual ~InsightsClient() = default;
  // Thread-safe. Errors say where they came from ("tracking GetInsights:").
  virtual absl::StatusOr<smartshop::v1::GetInsightsResponse> GetInsights(
      const smartshop::v1::GetInsightsRequest& request,
      absl::Time deadline) = 0;
};

class GrpcInsightsClient : public InsightsClient {
 public:
  explicit GrpcInsightsClient(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<smartshop::v1::GetInsightsResponse> GetInsights(
      const smartshop::v1::GetInsightsRequest& request,
      absl::Time deadline) override;

 private:
  std::unique_ptr<smartshop::v1::InsightsService::StubInterface> stub_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_INSIGHTS_CLIENT_H_
