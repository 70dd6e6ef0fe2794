#include "services/tracking/catalog_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_util.h"
#include "services/tracking/page_token.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Product;

constexpr int kMaxPageSize = 1000;
constexpr int kDefaultPageSize = 100;
constexpr int kMaxGetIds = 1000;

}  // namespace

grpc::Status CatalogServiceImpl::UpsertCategories(
    grpc::ServerContext* context,
    const smartshop::v1::UpsertCategoriesRequest* request,
    smartshop::v1::UpsertCategoriesResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "UpsertCategories");
      !denied.ok()) {
    return denied;
  }
  absl::Status status =
      ValidateCategories(request->categories(), options_.max_batch_size);
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
  if (grpc::Status denied = edge_.Admit(*context, "UpsertProducts");
      !denied.ok()) {
    return denied;
  }
  absl::Status status =
      ValidateProducts(request->products(), options_.max_batch_size);
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
  if (grpc::Status denied = edge_.Admit(*context, "ListProducts");
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
  if (grpc::Status denied = edge_.Admit(*context, "GetProducts");
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

grpc::Status CatalogServiceImpl::UpsertMerchandisingRules(
    grpc::ServerContext* context,
    const smartshop::v1::UpsertMerchandisingRulesRequest* request,
    smartshop::v1::UpsertMerchandisingRulesResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "UpsertMerchandisingRules");
      !denied.ok()) {
    return denied;
  }
  absl::Status status =
      ValidateMerchandisingRules(request->rules(), options_.max_batch_size);
  if (status.ok()) {
    status = store_->UpsertMerchandisingRules(
        request->rules(), options_.max_merchandising_rules,
        CallDeadline(*context, options_.max_call_time));
  }
  if (status.ok()) response->set_upserted(request->rules_size());
  return ToGrpcStatus(status);
}

grpc::Status CatalogServiceImpl::ListMerchandisingRules(
    grpc::ServerContext* context,
    const smartshop::v1::ListMerchandisingRulesRequest* /*request*/,
    smartshop::v1::ListMerchandisingRulesResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "ListMerchandisingRules");
      !denied.ok()) {
    return denied;
  }
  absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>> rules =
      store_->ListMerchandisingRules(
          CallDeadline(*context, options_.max_call_time));
  if (!rules.ok()) return ToGrpcStatus(rules.status());
  for (auto& rule : *rules) *response->add_rules() = std::move(rule);
  return grpc::Status::OK;
}

grpc::Status CatalogServiceImpl::DeleteMerchandisingRules(
    grpc::ServerContext* context,
    const smartshop::v1::DeleteMerchandisingRulesRequest* request,
    smartshop::v1::DeleteMerchandisingRulesResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "DeleteMerchandisingRules");
      !denied.ok()) {
    return denied;
  }
  if (absl::Status s = ValidateRuleIds(request->ids(), options_.max_batch_size);
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  const std::vector<std::string> ids(request->ids().begin(),
                                     request->ids().end());
  absl::StatusOr<int> deleted = store_->DeleteMerchandisingRules(
      ids, CallDeadline(*context, options_.max_call_time));
  if (!deleted.ok()) return ToGrpcStatus(deleted.status());
  response->set_deleted(*deleted);
  return grpc::Status::OK;
}

}  // namespace smartshop::tracking
