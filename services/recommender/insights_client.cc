#include "services/recommender/insights_client.h"

#include "common/status_util.h"

namespace smartshop::recommender {

GrpcInsightsClient::GrpcInsightsClient(std::shared_ptr<grpc::Channel> channel)
    : stub_(smartshop::v1::InsightsService::NewStub(std::move(channel))) {}

absl::StatusOr<smartshop::v1::GetInsightsResponse>
GrpcInsightsClient::GetInsights(
    const smartshop::v1::GetInsightsRequest& request, absl::Time deadline) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  smartshop::v1::GetInsightsResponse response;
  grpc::Status status = stub_->GetInsights(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, "tracking GetInsights");
  return response;
}

}  // namespace smartshop::recommender
