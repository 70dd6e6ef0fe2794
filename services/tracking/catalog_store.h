// The catalog replica: categories and products as the shop last pushed them.
#ifndef SMARTSHOP_SERVICES_TRACKING_CATALOG_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_CATALOG_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/catalog.pb.h"

namespace smartshop::tracking {

// A position in a product listing: the last product of the previous page.
struct ProductCursor {
  int64_t units_sold = 0;  // used by PRODUCT_ORDER_UNITS_SOLD_DESC only
  int64_t id = 0;
  bool operator==(const ProductCursor&) const = default;
};

struct ProductQuery {
  bool active_only = false;
  smartshop::v1::ProductOrder order = smartshop::v1::PRODUCT_ORDER_ID;
  int limit = 100;
  std::optional<ProductCursor> after;
};

struct ProductPage {
  std::vector<smartshop::v1::Product> products;
  std::optional<ProductCursor> next;  // set when more may follow
};

class CatalogStore {
 public:
  virtual ~CatalogStore() = default;

  // REQUIRES: validated, distinct ids. All or nothing.
  virtual absl::Status UpsertCategories(
      const google::protobuf::RepeatedPtrField<smartshop::v1::Category>&
          categories,
      absl::Time deadline) = 0;
  // REQUIRES: validated, distinct ids. All or nothing. category_name ignored.
  virtual absl::Status UpsertProducts(const google::protobuf::RepeatedPtrField<
                                          smartshop::v1::Product>& products,
                                      absl::Time deadline) = 0;
  virtual absl::StatusOr<ProductPage> ListProducts(const ProductQuery& query,
                                                   absl::Time deadline) = 0;
  // The products found among `ids`, in no particular order.
  virtual absl::StatusOr<std::vector<smartshop::v1::Product>> GetProducts(
      absl::Span<const int64_t> ids, absl::Time deadline) = 0;

  // REQUIRES: validated, distinct ids. All or nothing: FAILED_PRECONDITION,
  // nothing written, when the store would then hold more than `max_total`
  // rules. updated_at ignored (set to the time of the write).
  virtual absl::Status UpsertMerchandisingRules(
      const google::protobuf::RepeatedPtrField<
          smartshop::v1::MerchandisingRule>& rules,
      int max_total, absl::Time deadline) = 0;
  // Every rule, by ascending id, updated_at filled in.
  virtual absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
  ListMerchandisingRules(absl::Time deadline) = 0;
  // How many of `ids` were stored (and are now deleted).
  virtual absl::StatusOr<int> DeleteMerchandisingRules(
      absl::Span<const std::string> ids, absl::Time deadline) = 0;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_CATALOG_STORE_H_
