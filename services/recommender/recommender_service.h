// gRPC RecommenderService: deadlines and status mapping around the engine.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_SERVICE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_SERVICE_H_

#include <memory>
#include <utility>

#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/edge_policy.h"
#include "services/recommender/recommendation_engine.h"
#include "smartshop/v1/recommender.grpc.pb.h"

namespace smartshop::recommender {

class RecommenderServiceImpl final
    : public smartshop::v1::RecommenderService::Service {
 public:
  // `engine` is not owned and must outlive the service. Calls without a
  // deadline get `max_call_time`. `auth` says who may call which method
  // (edge_policy.h, method_scopes.h).
  RecommenderServiceImpl(
      RecommendationEngine* engine, absl::Duration max_call_time,
      std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll())
      : engine_(engine),
        max_call_time_(max_call_time),
        edge_(smartshop::v1::RecommenderService::service_full_name(),
              std::move(auth)) {}

  grpc::Status GetRecommendations(
      grpc::ServerContext* context,
      const smartshop::v1::GetRecommendationsRequest* request,
      smartshop::v1::Recommendations* response) override;
  grpc::Status InvalidateRecommendations(
      grpc::ServerContext* context,
      const smartshop::v1::InvalidateRecommendationsRequest* request,
      smartshop::v1::InvalidateRecommendationsResponse* response) override;
  grpc::Status DeleteUserData(
      grpc::ServerContext* context,
      const smartshop::v1::DeleteUserDataRequest* request,
      smartshop::v1::DeleteUserDataResponse* response) override;

 private:
  RecommendationEngine* const engine_;
  const absl::Duration max_call_time_;
  const EdgePolicy edge_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_SERVICE_H_
