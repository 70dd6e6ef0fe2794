#include "services/recommender/top_sellers.h"

#include <vector>

#include "absl/container/flat_hash_map.h"

namespace smartshop::recommender {

void FillWithTopSellers(
    const CatalogSnapshot& catalog, int count, double score,
    smartshop::v1::RecommendationSource source,
    smartshop::v1::Recommendations& out,
    const absl::flat_hash_set<int64_t>& exclude, int64_t category_id,
    const std::function<bool(const smartshop::v1::Product&)>& skip,
    int max_per_category) {
  absl::flat_hash_set<int64_t> present;
  absl::flat_hash_map<int64_t, int> per_category;
  for (const auto& item : out.items()) {
    present.insert(item.product().id());
    if (max_per_category > 0) ++per_category[item.product().category_id()];
  }
  auto add = [&](const smartshop::v1::Product& product) {
    auto* item = out.add_items();
    *item->mutable_product() = product;
    item->set_relevance_score(score);
    item->set_source(source);
  };
  // Those of full categories, in order, for when nothing else is left.
  std::vector<const smartshop::v1::Product*> held_back;
  for (const smartshop::v1::Product* product : catalog.top_sellers()) {
    if (out.items_size() >= count) return;
    if (present.contains(product->id()) || exclude.contains(product->id())) {
      continue;
    }
    if (category_id != 0 && product->category_id() != category_id) continue;
    if (product->has_stock() && product->stock() == 0) continue;
    if (skip != nullptr && skip(*product)) continue;
    if (max_per_category > 0 && product->category_id() != 0) {
      int& n = per_category[product->category_id()];
      if (n >= max_per_category) {
        if (held_back.size() < static_cast<size_t>(count)) {
          held_back.push_back(product);
        }
        continue;
      }
      ++n;
    }
    add(*product);
  }
  for (const smartshop::v1::Product* product : held_back) {
    if (out.items_size() >= count) return;
    add(*product);
  }
}

}  // namespace smartshop::recommender
