#include "tools/bench/shop_scale/shop_catalog.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "boost/json.hpp"
#include "common/status_util.h"
#include "smartshop/v1/catalog.grpc.pb.h"

namespace smartshop::bench {
namespace {

constexpr int kPerCall = 1000;
constexpr absl::Duration kCallTimeout = absl::Seconds(30);

std::string CategoryName(int64_t id) { return absl::StrCat("Category ", id); }
std::string ProductName(int64_t id) { return absl::StrCat("Product ", id); }
int64_t CategoryOf(const EventShape& shape, int64_t product) {
  return product % shape.categories + 1;
}

absl::Status Failed(const grpc::Status& status, absl::string_view call) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(call, ": ", status.error_message()));
}

}  // namespace

absl::Status UploadCatalog(const std::shared_ptr<grpc::Channel>& tracking,
                           const EventShape& shape) {
  auto stub = smartshop::v1::CatalogService::NewStub(tracking);
  // Ids first..last of one call: categories, then products.
  auto send = [&](int first, int last, bool products) -> absl::Status {
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(kCallTimeout));
    if (!products) {
      smartshop::v1::UpsertCategoriesRequest request;
      for (int id = first; id <= last; ++id) {
        smartshop::v1::Category* c = request.add_categories();
        c->set_id(id);
        c->set_name(CategoryName(id));
      }
      smartshop::v1::UpsertCategoriesResponse response;
      const grpc::Status status =
          stub->UpsertCategories(&context, request, &response);
      return status.ok() ? absl::OkStatus()
                         : Failed(status, "UpsertCategories");
    }
    smartshop::v1::UpsertProductsRequest request;
    for (int id = first; id <= last; ++id) {
      smartshop::v1::Product* p = request.add_products();
      p->set_id(id);
      p->set_name(ProductName(id));
      p->set_category_id(CategoryOf(shape, id));
      p->set_is_active(true);
      p->set_units_sold(std::max<int64_t>(0, 100'000 / id));
      p->set_stock(id % 50 == 0 ? 0 : 100);
      p->set_price_cents(100 + id % 10'000);
    }
    smartshop::v1::UpsertProductsResponse response;
    const grpc::Status status =
        stub->UpsertProducts(&context, request, &response);
    return status.ok() ? absl::OkStatus() : Failed(status, "UpsertProducts");
  };
  for (const auto& [count, products] :
       {std::pair{shape.categories, false}, std::pair{shape.products, true}}) {
    for (int first = 1; first <= count; first += kPerCall) {
      const int last = std::min(first + kPerCall - 1, count);
      if (absl::Status s = send(first, last, products); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

std::string ModelReplyContent(const EventShape& shape) {
  boost::json::array items;
  // Hot products, skipping the sold-out ones (id % 50 == 0).
  for (int64_t id = 1; items.size() < 8 && id <= shape.products; ++id) {
    if (id % 50 == 0) continue;
    items.push_back(boost::json::object{
        {"product", absl::StrCat(ProductName(id), " (",
                                 CategoryName(CategoryOf(shape, id)), ")")},
        {"relevance_score", 95 - static_cast<int>(items.size())},
        {"reason", "popular with similar shoppers"}});
  }
  return boost::json::serialize(items);
}

}  // namespace smartshop::bench
