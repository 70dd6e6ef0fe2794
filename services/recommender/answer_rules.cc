#include "services/recommender/answer_rules.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

namespace {

// The items past their category's share of `max_per_category` after the
// others, in their order; scores kept best first.
void KeepCategoriesVaried(int max_per_category,
                          smartshop::v1::Recommendations& answer) {
  auto* items = answer.mutable_items();
  absl::flat_hash_map<int64_t, int> per_category;
  std::vector<smartshop::v1::RecommendationItem> held_back;
  int kept = 0;
  for (int i = 0; i < items->size(); ++i) {
    const int64_t category = (*items)[i].product().category_id();
    if (category != 0 && per_category[category] >= max_per_category) {
      held_back.push_back(std::move((*items)[i]));
      continue;
    }
    ++per_category[category];
    if (kept != i) (*items)[kept] = std::move((*items)[i]);
    ++kept;
  }
  if (held_back.empty()) return;
  while (items->size() > kept) items->RemoveLast();
  for (auto& item : held_back) *items->Add() = std::move(item);
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
