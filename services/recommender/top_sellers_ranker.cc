#include "services/recommender/top_sellers_ranker.h"

#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {

std::variant<Ranking, RankingFailure> TopSellersRanker::Rank(
    const RankingRequest& request, absl::Time /*deadline*/) {
  const absl::flat_hash_set<int64_t>& exclude = request.placement != nullptr
                                                    ? request.placement->exclude
                                                    : request.builtin.exclude;
  Ranking ranking;
  ranking.strategy = smartshop::v1::STRATEGY_TOP_SELLERS;
  ranking.source = smartshop::v1::TOP_SELLER;
  ranking.gap_fill_score = kNoDataScore;
  for (const smartshop::v1::Product* product : request.catalog.top_sellers()) {
    if (static_cast<int>(ranking.items.size()) >= kComputedItems) break;
    if (exclude.contains(product->id())) continue;
    ranking.items.push_back({product, kNoDataScore, ""});
  }
  return ranking;
}

}  // namespace smartshop::recommender
