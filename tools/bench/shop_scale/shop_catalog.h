// The synthetic shop's catalog for the shop-scale benchmark: the products
// and categories its events name (EventShape), pushed to the tracking
// service as a shop backend would, and the answer the fake model gives
// (eight of these products, so that its answers map onto the catalog).
#ifndef SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SHOP_CATALOG_H_
#define SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SHOP_CATALOG_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "tools/bench/synthetic_events.h"

namespace smartshop::bench {

// Upserts every category and product of `shape` in calls of 1000: product p
// is "Product p", active, with fewer units sold the higher its id (the hot
// products sell most) and stock for all but every 50th (sold out).
absl::Status UploadCatalog(const std::shared_ptr<grpc::Channel>& tracking,
                           const EventShape& shape);

// The model's reply content: a JSON array of eight of the hot products as
// "Name (Category)", each with a score and a reason.
std::string ModelReplyContent(const EventShape& shape);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SHOP_CATALOG_H_
