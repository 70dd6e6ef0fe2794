#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

void FillWithTopSellers(
    const CatalogSnapshot& catalog, int count, double score,
    smartshop::v1::RecommendationSource source,
    smartshop::v1::Recommendations& out,
    const absl::flat_hash_set<int64_t>& exclude, int64_t category_id,
    const std::function<bool(const smartshop::v1::Product&)>& skip) {
  absl::flat_hash_set<int64_t> present;
  for (const auto& item : out.items()) present.insert(item.product().id());
  for (const smartshop::v1::Product* product : catalog.top_sellers()) {
    if (out.items_size() >= count) break;
    if (present.contains(product->id()) || exclude.contains(product->id())) {
      continue;
    }
    if (category_id != 0 && product->category_id() != category_id) continue;
    if (product->has_stock() && product->stock() == 0) continue;
    if (skip != nullptr && skip(*product)) continue;
    auto* item = out.add_items();
    *item->mutable_product() = *product;
    item->set_relevance_score(score);
    item->set_source(source);
  }
}

}  // namespace smartshop::recommender
