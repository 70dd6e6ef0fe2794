#include "services/recommender/answer_rules.h"

#include <algorithm>

#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

void ApplyAnswerRules(const CatalogSnapshot& catalog, const AnswerRules& rules,
                      smartshop::v1::Recommendations& answer) {
  static const absl::flat_hash_set<int64_t> kNone;
  const absl::flat_hash_set<int64_t>& exclude =
      rules.exclude != nullptr ? *rules.exclude : kNone;
  absl::flat_hash_set<int64_t> seen;
  double lowest = rules.max_fill_score;
  auto* items = answer.mutable_items();
  int kept = 0;
  for (int i = 0; i < items->size(); ++i) {
    smartshop::v1::RecommendationItem& item = (*items)[i];
    const smartshop::v1::Product* product = catalog.Find(item.product().id());
    if (product == nullptr || !product->is_active() ||
        (product->has_stock() && product->stock() == 0) ||
        exclude.contains(product->id()) || !seen.insert(product->id()).second ||
        kept >= rules.count) {
      continue;
    }
    *item.mutable_product() = *product;
    lowest = std::min(lowest, item.relevance_score());
    if (kept != i) items->SwapElements(kept, i);
    ++kept;
  }
  while (items->size() > kept) items->RemoveLast();
  if (rules.fill && kept < rules.count) {
    FillWithTopSellers(catalog, rules.count, lowest, smartshop::v1::GAP_FILL,
                       answer, exclude, rules.category_id);
  }
}

}  // namespace smartshop::recommender
