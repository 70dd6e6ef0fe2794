// Upserts a catalog read from a file: every category, then the products, in
// calls of at most `per_call` entries, each call with a deadline and retried
// while the service is UNAVAILABLE (safe: upserts replace by id).
#ifndef SMARTSHOP_TOOLS_CLI_CATALOG_UPLOAD_H_
#define SMARTSHOP_TOOLS_CLI_CATALOG_UPLOAD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "tools/import/progress.h"
#include "tools/import/tracking_client.h"

namespace smartshop::cli {

struct CatalogUploaded {
  int64_t categories = 0;  // as the service counts them
  int64_t products = 0;
};

// Stops at the first failed call, with a status naming the call and the
// entries it carried (those before are stored). `progress` (may be null)
// counts products.
absl::StatusOr<CatalogUploaded> UploadCatalog(
    smartshop::v1::CatalogService::StubInterface& stub,
    absl::Span<const smartshop::v1::Category> categories,
    absl::Span<const smartshop::v1::Product> products, int per_call,
    const import::RpcOptions& options, import::Progress* progress);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_CATALOG_UPLOAD_H_
