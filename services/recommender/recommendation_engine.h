// The original algorithm, end to end: cache, interactions, aggregation,
// prompt, model, parsing, matching, gap fill, fallbacks, cache again; with
// the builtin ranker as the ranker when no model is configured and as the
// first fallback when the model fails. Every dependency can fail or be
// slow; every failure has a defined answer, given within the caller's
// deadline: misses are computed once per key, apart from their callers, on
// a bounded executor, and a caller who cannot wait takes the builtin answer
// (else top sellers) while the computation goes on and fills the cache.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_ENGINE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_ENGINE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/builtin_ranking.h"
#include "services/recommender/cache/bounded_executor.h"
#include "services/recommender/cache/shared_flight.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/invalidation_retrier.h"
#include "services/recommender/llm_client.h"
#include "services/recommender/model_ranker.h"
#include "services/recommender/product_matcher.h"
#include "services/recommender/prompt_builder.h"
#include "services/recommender/recommendation_cache.h"
#include "services/recommender/recommender_metrics.h"
#include "services/recommender/response_parser.h"
#include "services/recommender/session_model_budget.h"
#include "services/recommender/shopper_activity.h"
#include "services/recommender/tracking_reader.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

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

// Counts for the service's logs and metrics.
struct EngineStats {
  int64_t cache_hits = 0;
  int64_t cache_misses = 0;
  int64_t cache_errors = 0;
  int64_t model_calls = 0;
  int64_t fallbacks = 0;
};

using Clock = std::function<absl::Time()>;

class RecommendationEngine {
 public:
  // Pointers are not owned and must outlive the engine; `llm` may be null
  // (no model configured: every miss falls back to top sellers), and so may
  // `metrics`.
  // `model` may be null too: then there is no builtin ranker, and a missing
  // or failing model falls back to top sellers at once.
  RecommendationEngine(TrackingReader* tracking, CatalogRefresher* catalog,
                       LlmClient* llm, RecommendationCache* cache,
                       PromptBuilder prompt, EngineOptions options, Clock clock,
                       RecommenderMetrics* metrics = nullptr,
                       InteractionModel* model = nullptr);
  // Waits for the shared computations in flight.
  ~RecommendationEngine();

  // INVALID_ARGUMENT for bad arguments; UNAVAILABLE only while no catalog
  // has ever been loaded. Otherwise an answer by `deadline` (less the reply
  // margin), whatever fails or is slow on the way.
  absl::StatusOr<smartshop::v1::Recommendations> Get(
      const smartshop::v1::GetRecommendationsRequest& request,
      absl::Time deadline);

  // Erasure: the user's interactions in the tracking service, their cached
  // answer, their recent products in the model. INVALID_ARGUMENT for a bad
  // user id; UNAVAILABLE when tracking or the cache cannot be reached (then
  // retry: it is idempotent).
  // `caller_authorization` goes to tracking with the erasure (see
  // TrackingReader::DeleteUserData).
  absl::StatusOr<smartshop::v1::DeleteUserDataResponse> DeleteUserData(
      const smartshop::v1::DeleteUserDataRequest& request, absl::Time deadline,
      const std::string& caller_authorization = "");

  // Removes cached answers; UNAVAILABLE when the cache cannot be reached.
  absl::StatusOr<int64_t> Invalidate(
      const smartshop::v1::InvalidateRecommendationsRequest& request,
      absl::Time deadline);

  // Drops the cached answer an event makes stale: a user's on a cart
  // change or an order, an anonymous session's on any of its events. For
  // the live event feed; a failed delete is retried until the cache
  // answers (InvalidationRetrier).
  void OnLiveEvent(const smartshop::v1::Interaction& event);

  // False while the builtin model is still replaying the history: its
  // answers are then cached only briefly. True by default.
  void set_builtin_ready(bool ready) { builtin_ready_ = ready; }

  EngineStats stats() const;
  // Deletes waiting to be retried (for metrics and tests).
  size_t pending_invalidations() const { return retrier_.pending(); }

  // The cache key for a user id ("" = anonymous).
  std::string CacheKey(const std::string& user_id) const;
  // The cache key for a shopper: the user's, the session's or the shared
  // anonymous one.
  std::string CacheKey(const Shopper& shopper) const;

 private:
  // The answer for a cache miss, and how long to cache it.
  struct Computed {
    smartshop::v1::Recommendations answer;
    absl::Duration ttl;
  };
  // How a computation may rank.
  struct ComputeMode {
    // Off: the builtin ranker stands in where the model would rank, with
    // this reason and metric code.
    bool allow_model = true;
    std::string no_model_reason{};
    std::string no_model_code{};
    // Hears the builtin answer before the model is asked (may be empty).
    std::function<void(const smartshop::v1::Recommendations&)> on_interim{};
  };
  using Flights = FlightGroup<smartshop::v1::Recommendations>;

  Computed Compute(const smartshop::v1::GetRecommendationsRequest& request,
                   const CatalogSnapshot& catalog, absl::Time deadline,
                   const ComputeMode& mode);
  // A miss on a cacheable key: shared with concurrent callers, computed on
  // its own budget, cached by the computation; this caller waits only
  // until its own deadline.
  smartshop::v1::Recommendations Shared(
      const smartshop::v1::GetRecommendationsRequest& request,
      const std::string& key, std::shared_ptr<const CatalogSnapshot> catalog,
      absl::Time deadline);
  smartshop::v1::Recommendations RunShared(
      const smartshop::v1::GetRecommendationsRequest& request,
      const std::string& key, const CatalogSnapshot& catalog,
      Flights::Flight& flight);
  // Computed for this caller alone, without the model, never cached.
  smartshop::v1::Recommendations Alone(
      const smartshop::v1::GetRecommendationsRequest& request,
      const CatalogSnapshot& catalog, absl::Time deadline,
      absl::string_view reason, absl::string_view code);
  smartshop::v1::Recommendations Assemble(const Ranking& ranking,
                                          const CatalogSnapshot& catalog,
                                          const RankingInput& input,
                                          std::string fallback_reason);
  RankingInput BuiltinInput(
      const smartshop::v1::GetRecommendationsRequest& request,
      const ShopperActivity& activity, absl::Time deadline);
  absl::flat_hash_set<int64_t> RecentlyOrdered(const std::string& user_id,
                                               const ShopperActivity& activity,
                                               absl::Time deadline);
  absl::Duration BuiltinTtl(const Shopper& shopper) const;
  // `reason` for the reply and the logs; `code` for metrics.
  smartshop::v1::Recommendations Fallback(const CatalogSnapshot& catalog,
                                          std::string reason,
                                          absl::string_view code,
                                          int64_t category_id = 0);
  void CountCache(absl::string_view result);
  void CountFallback(absl::string_view code);
  // The prefix whose DeletePrefix covers `key`.
  const std::string& ScopeOf(const std::string& key) const;
  // Drops `key` from the cache (advancing its fence, so that no replica
  // stores an answer computed from data read before) and marks this
  // replica's computation for it stale.
  absl::StatusOr<int64_t> DropKey(const std::string& key, absl::Time deadline);

  TrackingReader* const tracking_;
  CatalogRefresher* const catalog_;
  RecommendationCache* const cache_;
  const EngineOptions options_;
  const Clock clock_;
  RecommenderMetrics* const metrics_;
  std::unique_ptr<ModelRanker> model_ranker_;      // with a model
  std::unique_ptr<BuiltinRanker> builtin_ranker_;  // with a builtin model
  InteractionModel* const model_;                  // may be null
  SessionModelBudget session_budget_;
  InvalidationRetrier retrier_;
  std::atomic<int> waiting_callers_{0};
  std::atomic<bool> builtin_ready_{true};

  mutable absl::Mutex stats_mu_;
  EngineStats stats_ ABSL_GUARDED_BY(stats_mu_);

  Flights flights_{&executor_};
  // Last: destroyed first, so that computations still running finish while
  // everything they use is alive.
  BoundedExecutor executor_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_ENGINE_H_
