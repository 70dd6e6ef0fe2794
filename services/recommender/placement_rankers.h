// The rankers of the placements other than the home page, as entries of a
// ranker chain (ranker_chain.h): the builtin rankings of the product page,
// the cart and trending (builtin/placement_ranking.h), the shopper's own
// recently viewed products, and, for the hybrid model, the product page's
// and the cart's builtin candidates as a CandidateSource. Each placement is
// one chain of these (ranker_chain_factory.h), so the engine picks a chain
// and never branches on the page.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_PLACEMENT_RANKERS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_PLACEMENT_RANKERS_H_

#include <variant>
#include <vector>

#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/builtin/placement_ranking.h"
#include "services/recommender/model/candidate_source.h"
#include "services/recommender/ranker.h"

namespace smartshop::recommender {

// One of RankProductPage, RankCart, RankTrending.
using PlacementRanking = std::vector<PlacementItem> (*)(
    const PlacementInput&, const CatalogSnapshot&, const InteractionModel&,
    const PlacementOptions&);

// A placement's builtin ranking as a Ranker: never fails; each item keeps
// its own source (BUILTIN, SIMILAR or TRENDING).
class PlacementRanker : public Ranker {
 public:
  // `model` is not owned and must outlive this.
  PlacementRanker(const InteractionModel* model, PlacementOptions options,
                  PlacementRanking ranking, smartshop::v1::Strategy strategy)
      : model_(model),
        options_(options),
        ranking_(ranking),
        strategy_(strategy) {}

  std::variant<Ranking, RankingFailure> Rank(const RankingRequest& request,
                                             absl::Time deadline) override;

 private:
  const InteractionModel* const model_;
  const PlacementOptions options_;
  const PlacementRanking ranking_;
  const smartshop::v1::Strategy strategy_;
};

// The shopper's own viewed products, newest view first, each once (score
// 99 down by one a position); with `exclude_purchased` not those ordered
// after their last view. Never filled with other products.
class RecentlyViewedRanker : public Ranker {
 public:
  std::variant<Ranking, RankingFailure> Rank(const RankingRequest& request,
                                             absl::Time deadline) override;
};

// The hybrid model's candidates for a product page or a cart: its builtin
// ranking, with the reasons.
class PlacementCandidates : public CandidateSource {
 public:
  // `model` is not owned and must outlive this; `count` candidates at most;
  // `keeps_categories_varied` when `ranking` keeps the diversity rule
  // (options.ranker.max_per_category), as the cart's does.
  PlacementCandidates(const InteractionModel* model, PlacementOptions options,
                      PlacementRanking ranking, int count,
                      bool keeps_categories_varied)
      : model_(model),
        options_(options),
        ranking_(ranking),
        count_(count),
        keeps_categories_varied_(keeps_categories_varied) {}

  std::vector<PromptBuilder::Candidate> Candidates(
      const RankingRequest& request) const override;
  int MaxPerCategory() const override {
    return keeps_categories_varied_ ? options_.ranker.max_per_category : 0;
  }

 private:
  const InteractionModel* const model_;
  const PlacementOptions options_;
  const PlacementRanking ranking_;
  const int count_;
  const bool keeps_categories_varied_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_PLACEMENT_RANKERS_H_
