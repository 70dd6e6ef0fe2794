#include "tools/cli/catalog_upload.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_util.h"
#include "tools/cli/rpc_util.h"

namespace smartshop::cli {
namespace {

using smartshop::v1::Category;
using smartshop::v1::Product;

absl::Status Failed(const grpc::Status& status, absl::string_view method,
                    absl::string_view what, size_t start, size_t count,
                    size_t total) {
  return absl::Status(
      static_cast<absl::StatusCode>(status.error_code()),
      absl::StrCat(method, " (", what, " ", start + 1, "..", start + count,
                   " of ", total, "): ", status.error_message()));
}

}  // namespace

absl::StatusOr<CatalogUploaded> UploadCatalog(
    smartshop::v1::CatalogService::StubInterface& stub,
    absl::Span<const Category> categories, absl::Span<const Product> products,
    int per_call, const import::RpcOptions& options,
    import::Progress* progress) {
  CatalogUploaded uploaded;
  const size_t step = static_cast<size_t>(per_call);
  for (size_t start = 0; start < categories.size(); start += step) {
    const size_t count = std::min(categories.size() - start, step);
    smartshop::v1::UpsertCategoriesRequest request;
    for (const Category& category : categories.subspan(start, count)) {
      *request.add_categories() = category;
    }
    smartshop::v1::UpsertCategoriesResponse response;
    const grpc::Status status = RetryWhileUnavailable(options, [&] {
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.timeout));
      return stub.UpsertCategories(&context, request, &response);
    });
    if (!status.ok()) {
      return Failed(status, "CatalogService.UpsertCategories", "categories",
                    start, count, categories.size());
    }
    uploaded.categories += response.upserted();
  }
  for (size_t start = 0; start < products.size(); start += step) {
    const size_t count = std::min(products.size() - start, step);
    smartshop::v1::UpsertProductsRequest request;
    for (const Product& product : products.subspan(start, count)) {
      Product& sent = *request.add_products() = product;
      sent.clear_category_name();  // output only; names come from categories
    }
    smartshop::v1::UpsertProductsResponse response;
    const grpc::Status status = RetryWhileUnavailable(options, [&] {
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.timeout));
      return stub.UpsertProducts(&context, request, &response);
    });
    if (!status.ok()) {
      return Failed(status, "CatalogService.UpsertProducts", "products", start,
                    count, products.size());
    }
    uploaded.products += response.upserted();
    if (progress != nullptr) progress->Update(start + count);
  }
  if (progress != nullptr) progress->Finish();
  return uploaded;
}

}  // namespace smartshop::cli
