#include "services/recommender/tracking_reader.h"

#include "common/status_util.h"

namespace smartshop::recommender {

grpc::ChannelArguments TrackingChannelArguments() {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return arguments;
}
namespace {

void SetDeadline(grpc::ClientContext& context, absl::Time deadline) {
  context.set_deadline(absl::ToChronoTime(deadline));
}

}  // namespace

GrpcTrackingReader::GrpcTrackingReader(std::shared_ptr<grpc::Channel> channel)
    : GrpcTrackingReader(smartshop::v1::TrackingService::NewStub(channel),
                         smartshop::v1::CatalogService::NewStub(channel)) {}

GrpcTrackingReader::GrpcTrackingReader(
    std::unique_ptr<smartshop::v1::TrackingService::StubInterface> tracking,
    std::unique_ptr<smartshop::v1::CatalogService::StubInterface> catalog)
    : tracking_(std::move(tracking)), catalog_(std::move(catalog)) {}

absl::StatusOr<std::vector<smartshop::v1::Interaction>>
GrpcTrackingReader::ListInteractions(
    const smartshop::v1::ListInteractionsRequest& request,
    absl::Time deadline) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  smartshop::v1::ListInteractionsResponse response;
  grpc::Status status =
      tracking_->ListInteractions(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, "tracking ListInteractions");
  return std::vector<smartshop::v1::Interaction>(
      std::make_move_iterator(response.mutable_interactions()->begin()),
      std::make_move_iterator(response.mutable_interactions()->end()));
}

absl::StatusOr<std::vector<smartshop::v1::Product>>
GrpcTrackingReader::ListAllProducts(absl::Time deadline) {
  std::vector<smartshop::v1::Product> products;
  smartshop::v1::ListProductsRequest request;
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    SetDeadline(context, deadline);
    smartshop::v1::ListProductsResponse response;
    grpc::Status status = catalog_->ListProducts(&context, request, &response);
    if (!status.ok()) return FromGrpcStatus(status, "tracking ListProducts");
    for (auto& product : *response.mutable_products()) {
      products.push_back(std::move(product));
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return products;
}

absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
GrpcTrackingReader::ListMerchandisingRules(absl::Time deadline) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  smartshop::v1::ListMerchandisingRulesResponse response;
  grpc::Status status =
      catalog_->ListMerchandisingRules(&context, {}, &response);
  if (!status.ok()) {
    return FromGrpcStatus(status, "tracking ListMerchandisingRules");
  }
  return std::vector<smartshop::v1::MerchandisingRule>(
      std::make_move_iterator(response.mutable_rules()->begin()),
      std::make_move_iterator(response.mutable_rules()->end()));
}

absl::StatusOr<smartshop::v1::DeleteUserDataResponse>
GrpcTrackingReader::DeleteUserData(const std::string& user_id,
                                   absl::Time deadline,
                                   const std::string& caller_authorization) {
  grpc::ClientContext context;
  SetDeadline(context, deadline);
  // Taken instead of the channel's own token (bearer_channel.cc).
  if (!caller_authorization.empty()) {
    context.AddMetadata("authorization", caller_authorization);
  }
  smartshop::v1::DeleteUserDataRequest request;
  request.set_user_id(user_id);
  smartshop::v1::DeleteUserDataResponse response;
  grpc::Status status = tracking_->DeleteUserData(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status, "tracking DeleteUserData");
  return response;
}

}  // namespace smartshop::recommender
