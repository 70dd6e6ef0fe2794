#include "services/recommender/answer_builder.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/json_log.h"
#include "common/proto_time.h"
#include "services/recommender/answer_rules.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

using smartshop::v1::Recommendations;

Recommendations AnswerBuilder::FromRanking(const Ranking& ranking,
                                           const CatalogSnapshot& catalog,
                                           const Limits& limits,
                                           std::string fallback_reason) const {
  Recommendations answer;
  answer.set_strategy(ranking.strategy);
  answer.set_fallback_reason(std::move(fallback_reason));
  SetTimestamp(clock_.Now(), answer.mutable_generated_at());
  for (const RankedProduct& ranked : ranking.items) {
    auto* item = answer.add_items();
    *item->mutable_product() = *ranked.product;
    item->set_relevance_score(ranked.score);
    item->set_reason(ranked.reason);
    item->set_source(ranked.source !=
                             smartshop::v1::RECOMMENDATION_SOURCE_UNSPECIFIED
                         ? ranked.source
                         : ranking.source);
  }
  // The rules hold for the model's picks too (a sold-out pick goes), and
  // top sellers fill what is missing.
  ApplyAnswerRules(catalog,
                   {.count = kComputedItems,
                    .exclude = &limits.exclude,
                    .category_id = limits.category_id,
                    .max_fill_score = ranking.gap_fill_score,
                    .fill = ranking.fill},
                   answer);
  return answer;
}

Recommendations AnswerBuilder::NoData(const CatalogSnapshot& catalog) const {
  Recommendations answer;
  answer.set_strategy(smartshop::v1::STRATEGY_NO_DATA);
  SetTimestamp(clock_.Now(), answer.mutable_generated_at());
  FillWithTopSellers(catalog, kComputedItems, kNoDataScore,
                     smartshop::v1::TOP_SELLERS_NO_DATA, answer);
  return answer;
}

Recommendations AnswerBuilder::TopSellers(const CatalogSnapshot& catalog,
                                          std::string reason,
                                          absl::string_view code,
                                          int64_t category_id) const {
  Log(LogLevel::kWarning, "recommendation_fallback",
      {{"reason", reason}, {"code", code}});
  counters_->CountTopSellers(code);
  Recommendations answer;
  answer.set_strategy(smartshop::v1::STRATEGY_FALLBACK);
  answer.set_fallback_reason(std::move(reason));
  SetTimestamp(clock_.Now(), answer.mutable_generated_at());
  FillWithTopSellers(catalog, kComputedItems, kFallbackScore,
                     smartshop::v1::ERROR_FALLBACK, answer, {}, category_id);
  return answer;
}

void AnswerBuilder::Finish(
    const smartshop::v1::GetRecommendationsRequest& request,
    const CatalogSnapshot* catalog, Recommendations& answer, absl::Time now,
    const RecentSales& recent_sales, int cart_max_per_category) {
  const int keep =
      request.limit() == 0 ? kRecommendationCount : request.limit();
  answer.set_placement(request.placement());
  absl::flat_hash_set<int64_t> excluded(request.exclude_product_ids().begin(),
                                        request.exclude_product_ids().end());
  excluded.insert(request.cart_product_ids().begin(),
                  request.cart_product_ids().end());
  if (request.product_id() > 0) excluded.insert(request.product_id());
  if (catalog == nullptr) {
    auto* items = answer.mutable_items();
    items->erase(std::remove_if(items->begin(), items->end(),
                                [&](const auto& item) {
                                  return excluded.contains(item.product().id());
                                }),
                 items->end());
    while (answer.items_size() > keep) answer.mutable_items()->RemoveLast();
    return;
  }
  const bool fill =
      request.placement() != smartshop::v1::PLACEMENT_RECENTLY_VIEWED;
  // The cart's diversity rule holds through what serving removes and adds.
  const int max_per_category =
      request.placement() == smartshop::v1::PLACEMENT_CART
          ? cart_max_per_category
          : 0;
  if (catalog->merchandising_rules().empty()) {
    ApplyAnswerRules(*catalog,
                     {.count = keep,
                      .exclude = &excluded,
                      .category_id = request.category_id(),
                      .fill = fill,
                      .max_per_category = max_per_category},
                     answer);
    return;
  }
  ApplyAnswerRules(*catalog,
                   {.count = std::max(keep, answer.items_size()),
                    .exclude = &excluded,
                    .category_id = request.category_id(),
                    .fill = fill,
                    .max_per_category = max_per_category},
                   answer);
  ApplyMerchandising(
      *catalog, request, now,
      recent_sales != nullptr ? recent_sales : [catalog](int64_t id) -> double {
        const smartshop::v1::Product* p = catalog->Find(id);
        return p == nullptr ? 0 : p->units_sold();
      },
      {.max_per_category = max_per_category, .count = keep}, answer);
  while (answer.items_size() > keep) answer.mutable_items()->RemoveLast();
  if (fill && answer.items_size() < keep) {
    double lowest = kGapFillScore;
    for (const auto& item : answer.items()) {
      lowest = std::min(lowest, item.relevance_score());
    }
    FillWithTopSellers(
        *catalog, keep, lowest, smartshop::v1::GAP_FILL, answer, excluded,
        request.category_id(),
        [&](const smartshop::v1::Product& product) {
          return ExcludedByRules(*catalog, product, request.placement(), now);
        },
        max_per_category);
  }
}

}  // namespace smartshop::recommender
