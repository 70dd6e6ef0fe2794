// A ranker that ranks nothing personal: the catalog's top sellers. The
// top-sellers variant of an experiment (VARIANT_RANKER_TOP_SELLERS), the
// baseline that shows what the other rankers add.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_TOP_SELLERS_RANKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_TOP_SELLERS_RANKER_H_

#include "services/recommender/ranker.h"

namespace smartshop::recommender {

class TopSellersRanker : public Ranker {
 public:
  // The active top sellers not excluded (the builtin input's and the
  // placement's exclusions), up to kComputedItems, scored 85.
  std::variant<Ranking, RankingFailure> Rank(const RankingRequest& request,
                                             absl::Time deadline) override;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_TOP_SELLERS_RANKER_H_
