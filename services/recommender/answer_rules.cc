#include "services/recommender/answer_rules.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
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
  // Under the diversity rule the cut comes after it: an item past the
  // count may be the one that keeps the categories varied.
  const bool varied = rules.max_per_category > 0;
  for (int i = 0; i < items->size(); ++i) {
    smartshop::v1::RecommendationItem& item = (*items)[i];
    const smartshop::v1::Product* product = catalog.Find(item.product().id());
    if (product == nullptr || !product->is_active() ||
        (product->has_stock() && product->stock() == 0) ||
        exclude.contains(product->id()) || !seen.insert(product->id()).second ||
        (!varied && kept >= rules.count)) {
      continue;
    }
    *item.mutable_product() = *product;
    if (kept != i) items->SwapElements(kept, i);
    ++kept;
  }
  while (items->size() > kept) items->RemoveLast();
  if (varied) {
    KeepCategoriesVaried(rules.max_per_category, {}, answer);
    while (items->size() > rules.count) items->RemoveLast();
    kept = items->size();
  }
  for (const auto& item : *items) {
    lowest = std::min(lowest, item.relevance_score());
  }
  if (rules.fill && kept < rules.count) {
    FillWithTopSellers(catalog, rules.count, lowest, smartshop::v1::GAP_FILL,
                       answer, exclude, rules.category_id, nullptr,
                       rules.max_per_category);
  }
}

void KeepCategoriesVaried(int max_per_category,
                          const std::vector<VariedPlace>& places,
                          smartshop::v1::Recommendations& answer) {
  using Item = smartshop::v1::RecommendationItem;
  auto& items = *answer.mutable_items();
  auto place_of = [&](int i) {
    return i < static_cast<int>(places.size()) ? places[i] : VariedPlace::kFree;
  };
  absl::flat_hash_map<int64_t, int> per_category;
  for (int i = 0; i < items.size(); ++i) {
    if (place_of(i) == VariedPlace::kFixed) {
      ++per_category[items[i].product().category_id()];
    }
  }
  std::vector<Item> ranked, ranked_held, top_ups, top_ups_held, last;
  for (int i = 0; i < items.size(); ++i) {
    Item& item = items[i];
    switch (place_of(i)) {
      case VariedPlace::kFixed:
        continue;
      case VariedPlace::kLast:
        last.push_back(std::move(item));
        continue;
      case VariedPlace::kFree:
        break;
    }
    const bool top_up = item.source() == smartshop::v1::GAP_FILL;
    const int64_t category = item.product().category_id();
    if (category != 0 && per_category[category] >= max_per_category) {
      (top_up ? top_ups_held : ranked_held).push_back(std::move(item));
      continue;
    }
    ++per_category[category];
    (top_up ? top_ups : ranked).push_back(std::move(item));
  }
  int place = 0;
  auto next_free = [&] {
    while (place_of(place) == VariedPlace::kFixed) ++place;
    return place++;
  };
  for (std::vector<Item>* part :
       {&ranked, &ranked_held, &top_ups, &top_ups_held, &last}) {
    for (Item& item : *part) items[next_free()] = std::move(item);
  }
  for (int i = 1; i < items.size(); ++i) {
    items[i].set_relevance_score(
        std::min(items[i].relevance_score(), items[i - 1].relevance_score()));
  }
}

}  // namespace smartshop::recommender
