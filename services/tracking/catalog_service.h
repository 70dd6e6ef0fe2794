// gRPC CatalogService: the shop pushes categories, products and
// merchandising rules; readers page through them or look them up by id.
#ifndef SMARTSHOP_SERVICES_TRACKING_CATALOG_SERVICE_H_
#define SMARTSHOP_SERVICES_TRACKING_CATALOG_SERVICE_H_

#include <atomic>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/edge_policy.h"
#include "services/tracking/catalog_store.h"
#include "services/tracking/catalog_validation.h"
#include "services/tracking/schema_readiness.h"
#include "smartshop/v1/catalog.grpc.pb.h"

namespace smartshop::tracking {

struct CatalogServiceOptions {
  // Most categories, products or rules per upsert call (and rule ids per
  // delete).
  int max_batch_size = 1000;
  // Most merchandising rules stored in all.
  int max_merchandising_rules = kMaxMerchandisingRules;
  absl::Duration max_call_time = absl::Seconds(30);
  // Who may call which method (edge_policy.h, method_scopes.h). The
  // binaries set this from --auth_tokens_file (or --insecure_no_auth).
  std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll();
};

class CatalogServiceImpl final : public smartshop::v1::CatalogService::Service {
 public:
  // `store` and `ready` are not owned and must outlive the service.
  CatalogServiceImpl(CatalogStore* store, const std::atomic<bool>* ready,
                     CatalogServiceOptions options)
      : store_(store),
        edge_(smartshop::v1::CatalogService::service_full_name(), options.auth,
              SchemaReadiness(ready)),
        options_(options) {}

  grpc::Status UpsertCategories(
      grpc::ServerContext* context,
      const smartshop::v1::UpsertCategoriesRequest* request,
      smartshop::v1::UpsertCategoriesResponse* response) override;
  grpc::Status UpsertProducts(
      grpc::ServerContext* context,
      const smartshop::v1::UpsertProductsRequest* request,
      smartshop::v1::UpsertProductsResponse* response) override;
  grpc::Status ListProducts(
      grpc::ServerContext* context,
      const smartshop::v1::ListProductsRequest* request,
      smartshop::v1::ListProductsResponse* response) override;
  grpc::Status GetProducts(
      grpc::ServerContext* context,
      const smartshop::v1::GetProductsRequest* request,
      smartshop::v1::GetProductsResponse* response) override;
  grpc::Status UpsertMerchandisingRules(
      grpc::ServerContext* context,
      const smartshop::v1::UpsertMerchandisingRulesRequest* request,
      smartshop::v1::UpsertMerchandisingRulesResponse* response) override;
  grpc::Status ListMerchandisingRules(
      grpc::ServerContext* context,
      const smartshop::v1::ListMerchandisingRulesRequest* request,
      smartshop::v1::ListMerchandisingRulesResponse* response) override;
  grpc::Status DeleteMerchandisingRules(
      grpc::ServerContext* context,
      const smartshop::v1::DeleteMerchandisingRulesRequest* request,
      smartshop::v1::DeleteMerchandisingRulesResponse* response) override;

 private:
  CatalogStore* const store_;
  const EdgePolicy edge_;
  const CatalogServiceOptions options_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_CATALOG_SERVICE_H_
