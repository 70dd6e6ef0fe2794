#include "services/recommender/answer_rules.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

namespace {

// The diversity rule over an answer: the ranked items within their
// categories' shares of `max_per_category`, then the ranked ones held back,
// then the top-ups (GAP_FILL, stored with a computed answer) within the
// shares left, then those held back; so a ranked candidate never goes
// after a top seller. Scores kept best first.
void KeepCategoriesVaried(int max_per_category,
                          smartshop::v1::Recommendations& answer) {
  using Item = smartshop::v1::RecommendationItem;
  std::vector<Item> ranked, ranked_held, top_ups, top_ups_held;
  absl::flat_hash_map<int64_t, int> per_category;
  for (Item& item : *answer.mutable_items()) {
    const bool top_up = item.source() == smartshop::v1::GAP_FILL;
    const int64_t category = item.product().category_id();
    if (category != 0 && per_category[category] >= max_per_category) {
      (top_up ? top_ups_held : ranked_held).push_back(std::move(item));
      continue;
    }
    ++per_category[category];
    (top_up ? top_ups : ranked).push_back(std::move(item));
  }
  auto* items = answer.mutable_items();
  items->Clear();
  for (std::vector<Item>* part :
       {&ranked, &ranked_held, &top_ups, &top_ups_held}) {
    for (Item& item : *part) *items->Add() = std::move(item);
  }
  for (int i = 1; i < items->size(); ++i) {
    (*items)[i].set_relevance_score(std::min(
        (*items)[i].relevance_score(), (*items)[i - 1].relevance_score()));
  }
}

}  // namespace

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
    KeepCategoriesVaried(rules.max_per_category, answer);
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

}  // namespace smartshop::recommender
