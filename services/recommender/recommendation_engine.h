// The recommendation path, wired: request → context (request_context.h) →
// cache (answer_cache.h) → on a miss the candidates (ranking_inputs.h) → the
// ranker chain (ranker_chain.h: model → builtin → top sellers) → the answer
// and its business rules (answer_builder.h) → cache. Every dependency can
// fail or be slow; every failure has a defined answer, given within the
// caller's deadline: misses are computed once per key, apart from their
// callers, on a bounded executor, and a caller who cannot wait takes the
// builtin answer (else top sellers) while the computation goes on and
// fills the cache.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_ENGINE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_ENGINE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/answer_builder.h"
#include "services/recommender/answer_cache.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/cache/bounded_executor.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/engine_options.h"
#include "services/recommender/engine_stats.h"
#include "services/recommender/experiments/experiment_config.h"
#include "services/recommender/ranker_chain.h"
#include "services/recommender/ranking_inputs.h"
#include "services/recommender/recommendation_cache.h"
#include "services/recommender/recommender_metrics.h"
#include "services/recommender/request_context.h"
#include "services/recommender/served_log.h"
#include "services/recommender/tracking_reader.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

class RecommendationEngine {
 public:
  // Pointers are not owned and must outlive the engine; `metrics` may be
  // null, and so may `model` (the builtin model, forgotten from on
  // erasure).
  // `chain` ranks the home page, `placements` the other pages
  // (ranker_chain_factory.h builds the service's); a placement without a
  // chain answers top sellers.
  RecommendationEngine(TrackingReader* tracking, CatalogRefresher* catalog,
                       RecommendationCache* cache,
                       std::unique_ptr<RankerChain> chain,
                       EngineOptions options, const Clock& clock,
                       RecommenderMetrics* metrics = nullptr,
                       InteractionModel* model = nullptr,
                       PlacementChains placements = {});
  // Waits for the shared computations in flight.
  ~RecommendationEngine();

  // INVALID_ARGUMENT for bad arguments; UNAVAILABLE only while no catalog
  // has ever been loaded. Otherwise an answer by `deadline` (less the reply
  // margin), whatever fails or is slow on the way.
  absl::StatusOr<smartshop::v1::Recommendations> Get(
      const smartshop::v1::GetRecommendationsRequest& request,
      absl::Time deadline);
  // The answer Get would give when it needs no I/O: a bad request's error,
  // or a hit in this replica's local cache. nullopt when answering needs
  // Redis, tracking or the model (call Get, which may block).
  std::optional<absl::StatusOr<smartshop::v1::Recommendations>> GetIfLocal(
      const smartshop::v1::GetRecommendationsRequest& request);

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
      absl::Time deadline) {
    return answer_cache_.Invalidate(request, deadline);
  }

  // For the live event feed: drops the cached answer the event makes stale
  // (AnswerCache::OnLiveEvent).
  void OnLiveEvent(const smartshop::v1::Interaction& event) {
    answer_cache_.OnLiveEvent(event);
  }

  // False while the builtin model is still replaying the history: its
  // answers are then cached only briefly. True by default.
  void set_builtin_ready(bool ready) { answer_cache_.set_builtin_ready(ready); }

  // Every answer served from then on is recorded there (null: none). Set
  // before the first request.
  void set_served_log(ServedLog* log) { served_log_ = log; }
  // The experiments to run and the chains their variants rank with
  // (MakeVariantChains for the home page; the other placements' builtin
  // chains, MakePlacementChains without a model, for their builtin
  // variants). Set before the first request.
  void set_experiments(std::shared_ptr<const experiments::ExperimentSet> set,
                       VariantChains chains,
                       PlacementChains builtin_placements = {});
  const experiments::ExperimentSet* experiments() const {
    return experiments_.get();
  }

  EngineStats stats() const { return counters_.stats(); }
  // Deletes waiting to be retried (for metrics and tests).
  size_t pending_invalidations() const {
    return answer_cache_.pending_invalidations();
  }

  // The cache key of a request's answer; nullopt when it is not cached (a
  // category page, a shopper's own placement answer), and without
  // `may_wait` when a shared placement's key would wait for the model.
  std::optional<std::string> CacheKey(const RequestContext& context,
                                      bool may_wait = true) const;
  // A new user (no events) is answered as an anonymous visitor. Without
  // `may_wait`, false when that would wait for the model (undecided).
  bool ShareAnonymousIfNew(RequestContext& context, bool may_wait = true) const;
  // The cache key for a user id ("" = anonymous).
  std::string CacheKey(const std::string& user_id) const {
    return answer_cache_.Key(user_id);
  }

 private:
  // What a computation spent on the model.
  struct ModelSpend {
    int calls = 0;
    double cost_usd = 0;
  };
  // What a shared computation spent, and the served answer of the caller
  // that started it when that caller left first (the computation records
  // the spend on it then).
  struct ComputationSpend {
    absl::Mutex mu;
    bool done ABSL_GUARDED_BY(mu) = false;
    ModelSpend spend ABSL_GUARDED_BY(mu);
    std::optional<smartshop::v1::ServedRecommendation> owed ABSL_GUARDED_BY(mu);
  };
  // A cached answer as it leaves: marked, checked against the catalog.
  smartshop::v1::Recommendations Served(
      const RequestContext& context, smartshop::v1::Recommendations hit) const;
  // Every answer as it leaves, computed or cached: its own recommendation
  // id and the items' positions; recorded in the served log with `spend`,
  // or with the spend of the shared `computation` this caller started
  // (null: none).
  smartshop::v1::Recommendations Stamp(const RequestContext& context,
                                       smartshop::v1::Recommendations answer,
                                       absl::Time started, ModelSpend spend,
                                       ComputationSpend* computation = nullptr);
  // The answer for a cache miss, and how long to cache it.
  struct Computed {
    smartshop::v1::Recommendations answer;
    absl::Duration ttl;
    ModelSpend spend{};
  };
  // How a computation may rank.
  struct ComputeMode {
    // Set: the builtin ranker stands in where the model would rank, with
    // this reason and metric code.
    std::optional<RankingFailure> model_refused{};
    // Hears the builtin answer before the model is asked (may be empty).
    std::function<void(const smartshop::v1::Recommendations&)> on_interim{};
  };

  // Which experiment and variant the visitor is in, as of now.
  void Assign(RequestContext& context) const;
  // The chain that ranks the request's page (null: none here).
  RankerChain* ChainFor(const RequestContext& context) const;
  // The answer when nothing ranked: top sellers (none for recently
  // viewed, which is the shopper's own), saying why.
  smartshop::v1::Recommendations Fallback(const RequestContext& context,
                                          const CatalogSnapshot& catalog,
                                          std::string reason,
                                          absl::string_view code) const;
  absl::Duration TtlOf(const RequestContext& context, AnswerKind kind) const;

  Computed Compute(const RequestContext& context,
                   const CatalogSnapshot& catalog, absl::Time deadline,
                   const ComputeMode& mode);
  // A miss on a cacheable key: shared with concurrent callers, computed on
  // its own budget, cached by the computation; this caller waits only
  // until its own deadline.
  // `started_computation`: set when this caller started the computation
  // (its spend is recorded on this caller's answer, once).
  smartshop::v1::Recommendations Shared(
      const RequestContext& context, const std::string& key,
      std::shared_ptr<const CatalogSnapshot> catalog, absl::Time deadline,
      std::shared_ptr<ComputationSpend>& started_computation);
  smartshop::v1::Recommendations RunShared(const RequestContext& context,
                                           const std::string& key,
                                           const CatalogSnapshot& catalog,
                                           AnswerFlights::Flight& flight,
                                           ComputationSpend& spend);
  // Computed for this caller alone, without the model, never cached.
  smartshop::v1::Recommendations Alone(const RequestContext& context,
                                       const CatalogSnapshot& catalog,
                                       absl::Time deadline,
                                       absl::string_view reason,
                                       absl::string_view code);

  TrackingReader* const tracking_;
  CatalogRefresher* const catalog_;
  const EngineOptions options_;
  const std::unique_ptr<RankerChain> chain_;
  const PlacementChains placements_;
  const RecentSales recent_sales_;  // null: no builtin model
  InteractionModel* const model_;   // may be null
  EngineCounters counters_;
  const AnswerBuilder answers_;
  RankingInputReader inputs_;
  std::atomic<int> waiting_callers_{0};
  AnswerFlights flights_{&executor_};
  AnswerCache answer_cache_;
  ServedLog* served_log_ = nullptr;
  // Answers AnswerCache's question of which variant entries exist.
  class Variants : public VariantKeys {
   public:
    explicit Variants(const RecommendationEngine* engine) : engine_(engine) {}
    std::optional<VariantTag> Of(const Shopper& visitor) const override;
    std::vector<VariantTag> All() const override;
    std::vector<VariantTag> Configured() const override;

   private:
    const RecommendationEngine* const engine_;
  };
  std::shared_ptr<const experiments::ExperimentSet> experiments_;
  VariantChains variant_chains_;
  PlacementChains builtin_placements_;
  Variants variants_{this};
  // Last: destroyed first, so that computations still running finish while
  // everything they use is alive.
  BoundedExecutor executor_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_ENGINE_H_
