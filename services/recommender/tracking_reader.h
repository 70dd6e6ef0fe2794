// What the recommender reads from the tracking service (it never opens
// Postgres itself): recent interactions and the catalog; and the one write
// it forwards, a user's erasure.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_TRACKING_READER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_TRACKING_READER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"

namespace smartshop::recommender {

class TrackingReader {
 public:
  virtual ~TrackingReader() = default;

  // One page of ListInteractions (newest first). Thread-safe.
  virtual absl::StatusOr<std::vector<smartshop::v1::Interaction>>
  ListInteractions(const smartshop::v1::ListInteractionsRequest& request,
                   absl::Time deadline) = 0;

  // Every product, active or not, all pages. Thread-safe.
  virtual absl::StatusOr<std::vector<smartshop::v1::Product>> ListAllProducts(
      absl::Time deadline) = 0;

  // Every merchandising rule (CatalogService.ListMerchandisingRules).
  // Thread-safe. None by default, for readers that serve no rules.
  virtual absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
  ListMerchandisingRules(absl::Time /*deadline*/) {
    return std::vector<smartshop::v1::MerchandisingRule>();
  }

  // TrackingService.DeleteUserData: what tracking erased (interactions,
  // served answers, impressions). Thread-safe.
  // `caller_authorization` is the erasing caller's own "authorization"
  // value, forwarded so that tracking decides whether that caller may
  // delete (the recommender's own token only reads); empty = its own.
  virtual absl::StatusOr<smartshop::v1::DeleteUserDataResponse> DeleteUserData(
      const std::string& user_id, absl::Time deadline,
      const std::string& caller_authorization) = 0;
};

// Arguments for the channel to tracking: reconnect attempts 100 ms apart at
// first and never more than 1 s apart (plus jitter). gRPC's default backoff
// grows to 120 s, and every cache miss answers from the snapshot until the
// channel reconnects, so a short tracking restart would cost minutes.
grpc::ChannelArguments TrackingChannelArguments();

// TrackingReader over gRPC: one channel, a deadline on every call, gRPC
// status codes kept as absl codes.
class GrpcTrackingReader : public TrackingReader {
 public:
  explicit GrpcTrackingReader(std::shared_ptr<grpc::Channel> channel);
  // Over the given stubs (tests pass the generated mock stubs).
  GrpcTrackingReader(
      std::unique_ptr<smartshop::v1::TrackingService::StubInterface> tracking,
      std::unique_ptr<smartshop::v1::CatalogService::StubInterface> catalog);

  absl::StatusOr<std::vector<smartshop::v1::Interaction>> ListInteractions(
      const smartshop::v1::ListInteractionsRequest& request,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::Product>> ListAllProducts(
      absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
  ListMerchandisingRules(absl::Time deadline) override;
  absl::StatusOr<smartshop::v1::DeleteUserDataResponse> DeleteUserData(
      const std::string& user_id, absl::Time deadline,
      const std::string& caller_authorization) override;

 private:
  std::unique_ptr<smartshop::v1::TrackingService::StubInterface> tracking_;
  std::unique_ptr<smartshop::v1::CatalogService::StubInterface> catalog_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_TRACKING_READER_H_
