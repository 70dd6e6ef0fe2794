// The engine's settings, one struct for the whole recommendation path
// (the config fills it from flags; ranker_chain_factory.h and the engine's
// stages take their parts). Defaults are the original system's.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_ENGINE_OPTIONS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_ENGINE_OPTIONS_H_

#include <string>

#include "absl/time/time.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/placement_ranking.h"
#include "services/recommender/cache/local_answer_cache.h"
#include "services/recommender/circuit_breaker.h"
#include "services/recommender/model/model_reply_store.h"
#include "services/recommender/session_model_budget.h"

namespace smartshop::recommender {

class ModelBudget;  // model/model_budget.h

struct EngineOptions {
  // Cache keys are prefix + user id, or prefix + "anonymous".
  std::string cache_prefix = "ai_recommended_products_";
  // Anonymous sessions' keys: this prefix + session key (a prefix of its
  // own, so that no user id can name a session's entry).
  std::string session_cache_prefix = "ai_recommended_session_";
  // How long a model answer is cached.
  absl::Duration cache_ttl = absl::Hours(1);
  // How long a builtin answer is cached: new events reach the model at
  // once, and carts and orders invalidate the user's entry anyway.
  absl::Duration builtin_ttl = absl::Minutes(10);
  // The other placements' shared answers (anonymous visitors' product
  // pages and baskets, trending): this prefix, then the placement. A
  // shopper's own placement answers are not cached.
  std::string placement_cache_prefix = "ai_recommended_placement_";
  // An experiment variant's answers (home page): this prefix, then
  // "<experiment>:<variant>:" and "u:<user>", "s:<session>" or
  // "anonymous". Names of experiments and variants hold no ':', so no
  // shopper's key can name another's.
  std::string experiment_cache_prefix = "ai_recommended_experiment_";
  // How long product page and cart answers are cached; the shared ones
  // follow the shop's co-occurrence, which one event barely moves.
  absl::Duration placement_ttl = absl::Minutes(10);
  absl::Duration trending_ttl = absl::Minutes(5);
  // The placements' builtin rankings (builtin/placement_ranking.h).
  PlacementOptions placement{};
  // The model reorders the product page's and the cart's builtin
  // candidates (by id, as the hybrid prompt does) for the answers anonymous
  // visitors share; a shopper's own are the builtin ranker's. Off: no model
  // call for placements.
  bool placement_model = false;
  // How long a session's answer is cached, whichever ranker made it (each
  // of its events also drops it).
  absl::Duration session_ttl = absl::Minutes(5);
  // Sessions are ranked by the builtin ranker (no model call) unless this
  // is set; then each session may cost a model call within `session_model`
  // budget's interval and cap. Without a builtin model, sessions share the
  // anonymous answer unless this is set.
  bool session_model = false;
  SessionModelBudgetOptions session_model_budget{};
  // Products a user ordered within this long are not recommended again;
  // zero = no such rule.
  absl::Duration recently_ordered = absl::Hours(24 * 30);
  RankerOptions ranker{};
  // The hybrid prompt: the model is shown the builtin ranker's top
  // candidates with their ids (instead of the first 50 catalog products)
  // and answers with ids, so mapping cannot fail. Needs the builtin model.
  bool hybrid_prompt = false;
  int hybrid_candidates = 20;
  CircuitBreakerOptions model_breaker{};
  // A user with no event of their own yet (the builtin model knows none)
  // shares the anonymous visitors' home page answer: their prompt is the
  // anonymous one (the shop's recent activity), so no model call per new
  // user. Off by default (the original asks the model per user).
  bool new_users_share_anonymous = false;
  // Reuse of model replies (model/model_reply_store.h): a request the model
  // answered before, word for word, is answered from its stored reply
  // without a call, for `model_reply_ttl`. On only with a store (not owned;
  // main.cc gives the cache's Redis).
  bool model_answer_reuse = true;
  ModelReplyStore* model_replies = nullptr;
  absl::Duration model_reply_ttl = absl::Hours(24);
  // The daily spend and per-minute call caps every model ranker made from
  // these options shares. Not owned; null = no caps.
  ModelBudget* model_budget = nullptr;
  // Routing by history length (RankerChainOptions::route_max_history): a
  // shopper with more interactions of their own than this is ranked by the
  // builtin ranker, no model call. 0 = off.
  int model_route_max_history = 0;
  // The secondary model (OPENAI_FALLBACK_MODEL): the same client and
  // prompt with this model name, asked when the model fails, before the
  // builtin ranker. Empty = none.
  std::string fallback_model = {};
  // With a secondary model, the primary's call is bounded by this share of
  // `model_timeout`, so that a slow primary leaves the secondary the rest
  // of the request's budget (the secondary is bounded by `model_timeout`
  // and the request's deadline).
  double primary_timeout_share = 0.5;
  // How long a fallback or no-data answer is cached: briefly, so that the
  // service retries the model (or sees new data) soon.
  absl::Duration short_ttl = absl::Seconds(60);
  // Bound on each ListInteractions call.
  absl::Duration tracking_timeout = absl::Seconds(2);
  // Bound on the model call. Shared computations run on their own budget
  // (tracking_timeout + model_timeout), whatever their callers' deadlines.
  absl::Duration model_timeout = absl::Seconds(20);
  // Bound on each cache call.
  absl::Duration cache_timeout = absl::Milliseconds(100);
  // The in-process cache in front of Redis: how long this replica serves
  // an answer from memory (it does not see other replicas' drops
  // meanwhile), and its memory bound.
  LocalCacheOptions local_cache{};
  // Kept free before the caller's deadline to build and send a fallback.
  absl::Duration reply_margin = absl::Milliseconds(50);
  // The bulkhead: shared computations (model calls) running at once; a
  // miss that would need one more is answered by the builtin ranker at
  // once.
  int max_computations = 16;
  // Callers waiting for shared computations at once; past it a miss takes
  // what there is at once, so that waits for a slow model never hold every
  // server thread (cache hits would be refused).
  int max_waiting_callers = 32;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_ENGINE_OPTIONS_H_
