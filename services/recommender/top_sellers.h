// Top sellers: the original system's answer when there is no data, when
// something fails, and to fill gaps in the model's answer.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_TOP_SELLERS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_TOP_SELLERS_H_

#include <functional>

#include "absl/container/flat_hash_set.h"
#include "services/recommender/catalog_snapshot.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

inline constexpr int kRecommendationCount = 8;
// Answers are computed and cached with this many items, so that a request
// excluding some of them (what is on the page, in the cart) still gets 8
// without a recomputation.
inline constexpr int kComputedItems = 16;
inline constexpr double kNoDataScore = 85.0;
inline constexpr double kFallbackScore = 80.0;
inline constexpr double kGapFillScore = 75.0;

// Appends active top sellers not yet in `out` until it holds `count` items
// (or the catalog runs out), each with `score` and `source`; never one in
// `exclude` or out of stock, and only of `category_id` unless it is 0;
// never one `skip` (when set) says no to. With `max_per_category` > 0 (the
// cart's diversity rule), a category holding that many in `out` gets more
// only when no other top seller is left.
void FillWithTopSellers(
    const CatalogSnapshot& catalog, int count, double score,
    smartshop::v1::RecommendationSource source,
    smartshop::v1::Recommendations& out,
    const absl::flat_hash_set<int64_t>& exclude = {}, int64_t category_id = 0,
    const std::function<bool(const smartshop::v1::Product&)>& skip = nullptr,
    int max_per_category = 0);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_TOP_SELLERS_H_
