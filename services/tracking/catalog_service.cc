#include "services/tracking/catalog_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_util.h"
#include "services/tracking/page_token.h"
#include "services/tracking/schema_readiness.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Product;

constexpr int kMaxPageSize = 1000;
constexpr int kDefaultPageSize = 100;
constexpr int kMaxGetIds = 1000;

absl::Status Invalid(absl::string_view list, int index, absl::string_view field,
                     absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat(list, "[", index, "].", field, ": ", why));
}

absl::Status CheckCount(absl::string_view list, int size, int max) {
  if (size > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        list, ": ", size, " entries is over the limit of ", max, " per call"));
  }
  return absl::OkStatus();
}

absl::Status CheckIdAndName(absl::string_view list, int index, int64_t id,
                            const std::string& name,
                            absl::flat_hash_set<int64_t>& seen) {
  if (id <= 0) return Invalid(list, index, "id", "must be > 0");
  if (!seen.insert(id).second) {
    return Invalid(list, index, "id", absl::StrCat("repeats id ", id));
  }
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Invalid(list, index, "name",
                   absl::StrCat("must be 1 to ", kMaxNameBytes, " bytes"));
  }
  if (name.find('\0') != std::string::npos) {
    return Invalid(list, index, "name", "must not contain NUL");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateCategories(
    const google::protobuf::RepeatedPtrField<smartshop::v1::Category>& list,
    int max_batch_size) {
  if (auto s = CheckCount("categories", list.size(), max_batch_size); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < list.size(); ++i) {
    if (auto s =
            CheckIdAndName("categories", i, list[i].id(), list[i].name(), seen);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateProducts(
    const google::protobuf::RepeatedPtrField<Product>& list,
    int max_batch_size) {
  if (auto s = CheckCount("products", list.size(), max_batch_size); !s.ok()) {
    return s;
  }
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < list.size(); ++i) {
    const Product& p = list[i];
    if (auto s = CheckIdAndName("products", i, p.id(), p.name(), seen);
        !s.ok()) {
      return s;
    }
    if (p.category_id() < 0) {
      return Invalid("products", i, "category_id", "must not be negative");
    }
    if (p.units_sold() < 0) {
      return Invalid("products", i, "units_sold", "must not be negative");
    }
    if (p.has_stock() && p.stock() < 0) {
      return Invalid("products", i, "stock", "must not be negative");
    }
    if (p.price_cents() < 0) {
      return Invalid("products", i, "price_cents", "must not be negative");
    }
  }
  return absl::OkStatus();
}

grpc::Status CatalogServiceImpl::UpsertCategories(
    grpc::ServerContext* context,
    const smartshop::v1::UpsertCategoriesRequest* request,
    smartshop::v1::UpsertCategoriesResponse* response) {
  if (grpc::Status denied =
          options_.auth->Check(*context, Scope::kWrite, "UpsertCategories");
      !denied.ok()) {
    return denied;
  }
  absl::Status status =
      ValidateCategories(request->categories(), options_.max_batch_size);
  if (status.ok()) status = CheckSchemaReady(*ready_);
  if (status.ok()) {
    status = store_->UpsertCategories(
        request->categories(), CallDeadline(*context, options_.max_call_time));
  }
  if (status.ok()) response->set_upserted(request->categories_size());
  return ToGrpcStatus(status);
}

grpc::Status CatalogServiceImpl::UpsertProducts(
    grpc::ServerContext* context,
    const smartshop::v1::UpsertProductsRequest* request,
    smartshop::v1::UpsertProductsResponse* response) {
  if (grpc::Status denied =
          options_.auth->Check(*context, Scope::kWrite, "UpsertProducts");
      !denied.ok()) {
    return denied;
  }
  absl::Status status =
      ValidateProducts(request->products(), options_.max_batch_size);
  if (status.ok()) status = CheckSchemaReady(*ready_);
  if (status.ok()) {
    status = store_->UpsertProducts(
        request->products(), CallDeadline(*context, options_.max_call_time));
  }
  if (status.ok()) response->set_upserted(request->products_size());
  return ToGrpcStatus(status);
}

grpc::Status CatalogServiceImpl::ListProducts(
    grpc::ServerContext* context,
    const smartshop::v1::ListProductsRequest* request,
    smartshop::v1::ListProductsResponse* response) {
  if (grpc::Status denied =
          options_.auth->Check(*context, Scope::kRead, "ListProducts");
      !denied.ok()) {
    return denied;
  }
  if (request->page_size() < 0 || request->page_size() > kMaxPageSize) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("page_size: must be 0 (default ", kDefaultPageSize,
                     ") to ", kMaxPageSize)));
  }
  if (!smartshop::v1::ProductOrder_IsValid(request->order_by())) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("order_by: unknown order ", request->order_by())));
  }
  ProductQuery query;
  query.active_only = request->active_only();
  query.order = request->order_by();
  query.limit =
      request->page_size() == 0 ? kDefaultPageSize : request->page_size();
  if (!request->page_token().empty()) {
    absl::StatusOr<ProductCursor> cursor =
        DecodeProductToken(request->page_token(), query);
    if (!cursor.ok()) return ToGrpcStatus(cursor.status());
    query.after = *cursor;
  }
  if (absl::Status ready = CheckSchemaReady(*ready_); !ready.ok())
    return ToGrpcStatus(ready);
  absl::StatusOr<ProductPage> page = store_->ListProducts(
      query, CallDeadline(*context, options_.max_call_time));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (Product& product : page->products) {
    *response->add_products() = std::move(product);
  }
  if (page->next) {
    response->set_next_page_token(EncodeProductToken(query, *page->next));
  }
  return grpc::Status::OK;
}

grpc::Status CatalogServiceImpl::GetProducts(
    grpc::ServerContext* context,
    const smartshop::v1::GetProductsRequest* request,
    smartshop::v1::GetProductsResponse* response) {
  if (grpc::Status denied =
          options_.auth->Check(*context, Scope::kRead, "GetProducts");
      !denied.ok()) {
    return denied;
  }
  if (request->ids_size() == 0 || request->ids_size() > kMaxGetIds) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("ids: must hold 1 to ", kMaxGetIds, " ids")));
  }
  std::vector<int64_t> ids;
  absl::flat_hash_set<int64_t> seen;
  for (int i = 0; i < request->ids_size(); ++i) {
    const int64_t id = request->ids(i);
    if (id <= 0) {
      return ToGrpcStatus(absl::InvalidArgumentError(
          absl::StrCat("ids[", i, "]: must be > 0")));
    }
    if (seen.insert(id).second) ids.push_back(id);
  }
  if (absl::Status ready = CheckSchemaReady(*ready_); !ready.ok())
    return ToGrpcStatus(ready);
  absl::StatusOr<std::vector<Product>> found =
      store_->GetProducts(ids, CallDeadline(*context, options_.max_call_time));
  if (!found.ok()) return ToGrpcStatus(found.status());
  absl::flat_hash_map<int64_t, Product*> by_id;
  for (Product& product : *found) by_id[product.id()] = &product;
  for (int64_t id : ids) {
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      response->add_missing_ids(id);
    } else {
      *response->add_products() = std::move(*it->second);
    }
  }
  return grpc::Status::OK;
}

}  // namespace smartshop::tracking
