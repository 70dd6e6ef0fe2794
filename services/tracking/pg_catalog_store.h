// CatalogStore on Postgres (tables categories and products).
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_CATALOG_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_CATALOG_STORE_H_

#include "common/pg_pool.h"
#include "services/tracking/catalog_store.h"

namespace smartshop::tracking {

class PgCatalogStore : public CatalogStore {
 public:
  // `pool` is not owned and must outlive the store.
  explicit PgCatalogStore(PgPool* pool) : pool_(pool) {}

  absl::Status UpsertCategories(const google::protobuf::RepeatedPtrField<
                                    smartshop::v1::Category>& categories,
                                absl::Time deadline) override;
  absl::Status UpsertProducts(const google::protobuf::RepeatedPtrField<
                                  smartshop::v1::Product>& products,
                              absl::Time deadline) override;
  absl::StatusOr<ProductPage> ListProducts(const ProductQuery& query,
                                           absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::Product>> GetProducts(
      absl::Span<const int64_t> ids, absl::Time deadline) override;
  absl::Status UpsertMerchandisingRules(
      const google::protobuf::RepeatedPtrField<
          smartshop::v1::MerchandisingRule>& rules,
      int max_total, absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
  ListMerchandisingRules(absl::Time deadline) override;
  absl::StatusOr<int> DeleteMerchandisingRules(
      absl::Span<const std::string> ids, absl::Time deadline) override;

 private:
  PgPool* pool_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_CATALOG_STORE_H_
