// The ranker chain: the model, then the builtin ranker, then top sellers.
// Each entry ranks or says why it gave up (RankingFailure), and the next
// takes over; past the last ranker the engine answers top sellers with the
// reason. The chain also says which entries a request may use: the model
// ranks the home page of users, and of anonymous sessions only with
// `session_model` and within their budget; category pages and the other
// sessions are the builtin ranker's. Optionally a secondary model is tried
// between the model and the builtin ranker, and shoppers with long
// histories are routed past the model (RouteToModel). Built once
// (ranker_chain_factory.h) and given to the engine; an experiment's variant is
// another chain.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RANKER_CHAIN_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RANKER_CHAIN_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "absl/time/time.h"
#include "services/recommender/ranker.h"
#include "services/recommender/recommender_metrics.h"
#include "services/recommender/session_model_budget.h"
#include "services/recommender/shopper_activity.h"
#include "smartshop/v1/experiments.pb.h"

namespace smartshop::recommender {

struct RankerChainOptions {
  // Sessions may cost a model call, within `session_model_budget`.
  bool session_model = false;
  SessionModelBudgetOptions session_model_budget{};
  // False: the model ranks only the answers anonymous visitors share (a
  // placement's, cached per page), a shopper's own are the builtin's.
  bool model_for_shoppers = true;
  // Routing: > 0, a shopper with more than this many interactions of their
  // own (RankingRequest::builtin.own, the original window: a user's last
  // 50, a session's last 50) is ranked by the builtin ranker without a
  // model call. 0 = off: every shopper the policy allows goes to the model.
  int route_max_history = 0;
  // Counts the routing decisions (smartshop_recommender_model_routing_total);
  // may be null. Not owned.
  RecommenderMetrics* metrics = nullptr;
};

// The builtin ranker's reason when routing sent the shopper past the model
// (not a failure: not counted as a fallback, cached as a builtin answer).
inline constexpr char kRoutedLongHistoryReason[] = "routed: long history";
// The secondary model is not asked after the primary met this failure code
// (the spend budget, which the secondary would spend as well).
inline constexpr char kModelBudgetReachedCode[] = "model_budget_reached";

// Whether routing lets the model rank a shopper with `own_interactions`
// events of their own: always with `route_max_history` 0; otherwise up to
// and including that many. Anonymous visitors and shoppers without history
// (0 events) always go to the model.
inline bool RouteToModel(int route_max_history, size_t own_interactions) {
  return route_max_history <= 0 ||
         own_interactions <= static_cast<size_t>(route_max_history);
}

// What one request asks of the chain.
struct ChainRequest {
  const RankingRequest& ranking;
  const Shopper& shopper;
  int64_t category_id = 0;
  // Set: the model may not be asked this time (the engine's bulkheads), and
  // the builtin ranker stands in for it with this reason.
  std::optional<RankingFailure> model_refused = std::nullopt;
  // Hears the builtin ranking before the model is asked (may be empty), for
  // callers who cannot wait for the model.
  std::function<void(const Ranking&)> before_model = {};
};

enum class RankedBy { kModel, kBuiltin, kNone };

struct ChainOutcome {
  RankedBy ranked_by = RankedBy::kNone;
  Ranking ranking{};  // unless kNone
  // Why the entry before gave up, or why nothing ranked (kNone: the top
  // sellers' fallback reason and metric code). Empty when the first entry
  // this request may use ranked.
  RankingFailure gave_up{};
  bool model_called = false;
  // The secondary model was called (after the primary failed); ranked_by is
  // then kModel with STRATEGY_MODEL_FALLBACK when it answered.
  bool fallback_model_called = false;
  // Routing sent the shopper to the builtin ranker (gave_up holds
  // kRoutedLongHistoryReason); not a stand-in.
  bool routed = false;

  // The builtin ranker ranked in the model's place.
  bool stand_in() const {
    return ranked_by == RankedBy::kBuiltin && !gave_up.reason.empty() &&
           !routed;
  }
};

class RankerChain {
 public:
  // Either ranker may be null (no model configured; no builtin model).
  RankerChain(std::unique_ptr<Ranker> model, std::unique_ptr<Ranker> builtin,
              RankerChainOptions options);
  // With a secondary model (may be null), asked when `model` fails.
  RankerChain(std::unique_ptr<Ranker> model,
              std::unique_ptr<Ranker> fallback_model,
              std::unique_ptr<Ranker> builtin, RankerChainOptions options);

  // Thread-safe; done or abandoned by `deadline`. The builtin ranker ranks
  // at most once per call.
  ChainOutcome Rank(const ChainRequest& request, absl::Time deadline);

  // Whether a ranker that needs no model call is in the chain: sessions
  // can then be personalised, and the recent-orders rule applies.
  bool ranks_without_model() const { return builtin_ != nullptr; }

 private:
  // The chain when the model is not to be asked.
  ChainOutcome WithoutModel(const ChainRequest& request,
                            std::optional<Ranking> builtin) const;

  const std::unique_ptr<Ranker> model_;
  const std::unique_ptr<Ranker> fallback_model_;
  const std::unique_ptr<Ranker> builtin_;
  const RankerChainOptions options_;
  SessionModelBudget session_budget_;
};

// The chain of each placement other than the home page.
using PlacementChains =
    std::map<smartshop::v1::Placement, std::unique_ptr<RankerChain>>;
// The home page's chain for each ranker an experiment variant may ask for.
using VariantChains =
    std::map<smartshop::v1::VariantRanker, std::unique_ptr<RankerChain>>;

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RANKER_CHAIN_H_
