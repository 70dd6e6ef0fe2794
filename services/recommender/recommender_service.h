// gRPC RecommenderService: deadlines and status mapping around the engine.
// GetRecommendations uses the callback API: a hit in the replica's local
// cache is answered on the spot, with no thread handed over; what needs
// Redis, tracking or the model runs on a bounded pool of blocking threads
// and is refused at once when the pool is full. The other methods use the
// sync API with its bounded pool.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_SERVICE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_SERVICE_H_

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/edge_policy.h"
#include "services/recommender/cache/bounded_executor.h"
#include "services/recommender/recommendation_engine.h"
#include "smartshop/v1/recommender.grpc.pb.h"

namespace smartshop::recommender {

// What a GetRecommendations refused for a full pool is told.
inline constexpr char kTooManyCallsMessage[] =
    "recommender: too many calls in progress; retry";

class RecommenderServiceImpl final
    : public smartshop::v1::RecommenderService::
          WithCallbackMethod_GetRecommendations<
              smartshop::v1::RecommenderService::Service> {
 public:
  // `engine` is not owned and must outlive the service. Calls without a
  // deadline get `max_call_time`. `auth` says who may call which method
  // (edge_policy.h, method_scopes.h). At most `blocking_threads`
  // GetRecommendations calls wait for Redis, tracking or the model at once
  // (the service passes --server_threads).
  RecommenderServiceImpl(
      RecommendationEngine* engine, absl::Duration max_call_time,
      std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll(),
      int blocking_threads = 64)
      : engine_(engine),
        max_call_time_(max_call_time),
        edge_(smartshop::v1::RecommenderService::service_full_name(),
              std::move(auth)),
        blocking_(std::max(1, blocking_threads)) {}

  grpc::ServerUnaryReactor* GetRecommendations(
      grpc::CallbackServerContext* context,
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
  // Last: destroyed first, it waits for the calls it runs.
  BoundedExecutor blocking_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_SERVICE_H_
