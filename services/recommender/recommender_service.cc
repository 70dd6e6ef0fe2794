#include "services/recommender/recommender_service.h"

#include "common/status_util.h"

namespace smartshop::recommender {

namespace {

void Finish(grpc::ServerUnaryReactor* reactor,
            smartshop::v1::Recommendations* response,
            absl::StatusOr<smartshop::v1::Recommendations> answer) {
  if (!answer.ok()) {
    reactor->Finish(ToGrpcStatus(answer.status()));
    return;
  }
  *response = *std::move(answer);
  reactor->Finish(grpc::Status::OK);
}

}  // namespace

grpc::ServerUnaryReactor* RecommenderServiceImpl::GetRecommendations(
    grpc::CallbackServerContext* context,
    const smartshop::v1::GetRecommendationsRequest* request,
    smartshop::v1::Recommendations* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status denied = edge_.Admit(*context, "GetRecommendations");
      !denied.ok()) {
    reactor->Finish(denied);
    return reactor;
  }
  if (auto local = engine_->GetIfLocal(*request)) {
    Finish(reactor, response, *std::move(local));
    return reactor;
  }
  // The request and response live until Finish.
  const absl::Time deadline = CallDeadline(*context, max_call_time_);
  if (!blocking_.TrySchedule([this, reactor, request, response, deadline] {
        Finish(reactor, response, engine_->Get(*request, deadline));
      })) {
    reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                 kTooManyCallsMessage));
  }
  return reactor;
}

grpc::Status RecommenderServiceImpl::InvalidateRecommendations(
    grpc::ServerContext* context,
    const smartshop::v1::InvalidateRecommendationsRequest* request,
    smartshop::v1::InvalidateRecommendationsResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "InvalidateRecommendations");
      !denied.ok()) {
    return denied;
  }
  auto deleted =
      engine_->Invalidate(*request, CallDeadline(*context, max_call_time_));
  if (!deleted.ok()) return ToGrpcStatus(deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

grpc::Status RecommenderServiceImpl::DeleteUserData(
    grpc::ServerContext* context,
    const smartshop::v1::DeleteUserDataRequest* request,
    smartshop::v1::DeleteUserDataResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "DeleteUserData");
      !denied.ok()) {
    return denied;
  }
  // The erasure reaches tracking with this caller's own token: tracking
  // decides whether the caller may delete there too.
  std::string authorization;
  if (auto it = context->client_metadata().find("authorization");
      it != context->client_metadata().end()) {
    authorization.assign(it->second.data(), it->second.size());
  }
  auto deleted = engine_->DeleteUserData(
      *request, CallDeadline(*context, max_call_time_), authorization);
  if (!deleted.ok()) return ToGrpcStatus(deleted.status());
  *response = *std::move(deleted);
  return grpc::Status::OK;
}

}  // namespace smartshop::recommender
