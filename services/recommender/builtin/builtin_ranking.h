// The builtin ranker (builtin/builtin_ranker.h) as a Ranker: never fails,
// scores 60 to 99 with a reason per item.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_BUILTIN_RANKING_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_BUILTIN_RANKING_H_

#include <algorithm>

#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/ranker.h"

namespace smartshop::recommender {

class BuiltinRanker : public Ranker {
 public:
  // `model` is not owned and must outlive this.
  BuiltinRanker(const InteractionModel* model, RankerOptions options)
      : model_(model), options_(options) {}

  std::variant<Ranking, RankingFailure> Rank(const RankingRequest& request,
                                             absl::Time) override {
    Ranking ranking;
    ranking.strategy = smartshop::v1::STRATEGY_BUILTIN;
    ranking.source = smartshop::v1::BUILTIN;
    for (RankedItem& item :
         RankBuiltin(request.builtin, request.catalog, *model_, options_)) {
      ranking.items.push_back(
          {item.product, item.score, std::move(item.reason)});
      // Top sellers filling in never rank above a ranked item.
      ranking.gap_fill_score = std::min(ranking.gap_fill_score, item.score);
    }
    return ranking;
  }

 private:
  const InteractionModel* const model_;
  const RankerOptions options_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_BUILTIN_RANKING_H_
