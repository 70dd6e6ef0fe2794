// A way to rank products for a shopper: one entry of the ranker chain
// (ranker_chain.h). Two implementations: ModelRanker (the LLM, model/) and
// BuiltinRanker (co-occurrence, builtin/). A ranker ranks or says why it
// gave up; the chain decides who comes next.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RANKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RANKER_H_

#include <string>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/placement_ranking.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/shopper_activity.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

// Everything a ranker may use; read-only, valid for the call only.
struct RankingRequest {
  const CatalogSnapshot& catalog;
  // The original aggregation (the shopper's own products first).
  const std::vector<ProductActivity>& summary;
  // True for a user or a session with events of its own.
  bool personalised = false;
  // The shopper's events, the products never to return, the category.
  const RankingInput& builtin;
  // The other placements' input: the page's product or the cart, the
  // shopper's own events, what never to return. Null for the home page.
  const PlacementInput* placement = nullptr;
  // PLACEMENT_RECENTLY_VIEWED: leave out what was ordered since viewed.
  bool exclude_purchased = false;
};

struct RankedProduct {
  const smartshop::v1::Product* product = nullptr;
  double score = 0;
  std::string reason;
  // Unset = the ranking's source.
  smartshop::v1::RecommendationSource source =
      smartshop::v1::RECOMMENDATION_SOURCE_UNSPECIFIED;
};

// Best first; the engine fills what is missing with top sellers, scored at
// most `gap_fill_score`.
struct Ranking {
  std::vector<RankedProduct> items;
  smartshop::v1::Strategy strategy = smartshop::v1::STRATEGY_UNSPECIFIED;
  smartshop::v1::RecommendationSource source =
      smartshop::v1::RECOMMENDATION_SOURCE_UNSPECIFIED;
  double gap_fill_score = 75;
  // Whether top sellers fill what the ranking leaves open (not for the
  // shopper's own recently viewed products).
  bool fill = true;
  // Picks the ranker had to drop (model answers naming no product).
  int dropped = 0;
  // The model call's estimated cost (0 for rankers that call none).
  double model_cost_usd = 0;
  // The model's answer to this same request made earlier, reused: no call.
  bool model_reused = false;
};

// Why a ranker gave no answer: for the reply and the logs ("model: rate
// limited"), and as a metric label ("model_rate_limited").
struct RankingFailure {
  std::string reason;
  std::string code;
  // The ranker gave up before calling the model (a budget cap, an open
  // circuit, no prompt): no call to count, no spend.
  bool no_call = false;
};

class Ranker {
 public:
  virtual ~Ranker() = default;
  // Thread-safe; done or abandoned by `deadline`.
  virtual std::variant<Ranking, RankingFailure> Rank(
      const RankingRequest& request, absl::Time deadline) = 0;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RANKER_H_
