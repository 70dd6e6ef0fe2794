#include "services/recommender/placement_rankers.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace smartshop::recommender {

std::variant<Ranking, RankingFailure> PlacementRanker::Rank(
    const RankingRequest& request, absl::Time) {
  Ranking ranking;
  ranking.strategy = strategy_;
  ranking.source = smartshop::v1::BUILTIN;
  if (request.placement == nullptr) return ranking;
  for (PlacementItem& item :
       ranking_(*request.placement, request.catalog, *model_, options_)) {
    ranking.items.push_back(
        {item.product, item.score, std::move(item.reason), item.source});
    ranking.gap_fill_score = std::min(ranking.gap_fill_score, item.score);
  }
  return ranking;
}

std::variant<Ranking, RankingFailure> RecentlyViewedRanker::Rank(
    const RankingRequest& request, absl::Time) {
  Ranking ranking;
  ranking.strategy = smartshop::v1::STRATEGY_RECENTLY_VIEWED;
  ranking.source = smartshop::v1::RECENTLY_VIEWED;
  ranking.fill = false;
  if (request.placement == nullptr) return ranking;
  const std::vector<ShopperEvent>& own = request.placement->own;
  // Newest first: an order seen before a product's latest view came after
  // it.
  absl::flat_hash_set<int64_t> ordered_since;
  absl::flat_hash_set<int64_t> listed;
  double score = 99;
  for (const ShopperEvent& event : own) {
    if (event.signal == Signal::kPurchase) {
      ordered_since.insert(event.product_id);
      continue;
    }
    if (event.signal != Signal::kView || listed.contains(event.product_id)) {
      continue;
    }
    listed.insert(event.product_id);
    if (request.exclude_purchased && ordered_since.contains(event.product_id)) {
      continue;
    }
    const smartshop::v1::Product* product =
        request.catalog.Find(event.product_id);
    if (product == nullptr || !product->is_active() ||
        request.placement->exclude.contains(event.product_id)) {
      continue;
    }
    ranking.items.push_back({product, score, "You viewed this recently"});
    score = std::max(60.0, score - 1);
  }
  return ranking;
}

std::vector<PromptBuilder::Candidate> PlacementCandidates::Candidates(
    const RankingRequest& request) const {
  std::vector<PromptBuilder::Candidate> candidates;
  if (request.placement == nullptr) return candidates;
  PlacementInput input = *request.placement;
  input.count = count_;
  for (PlacementItem& item :
       ranking_(input, request.catalog, *model_, options_)) {
    candidates.push_back({item.product, std::move(item.reason), item.source});
  }
  return candidates;
}

}  // namespace smartshop::recommender
