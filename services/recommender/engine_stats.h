// The engine's counts (for its logs and tests) and the metrics that go with
// them, kept in one place so that every stage counts the same way.
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_ENGINE_STATS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_ENGINE_STATS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "services/recommender/recommender_metrics.h"

namespace smartshop::recommender {

class EngineCounters {
 public:
  struct Stats {
    int64_t cache_hits = 0;  // local hits included
    int64_t local_hits = 0;  // served from the in-process cache
    int64_t cache_misses = 0;
    int64_t cache_errors = 0;
    int64_t model_calls = 0;
    int64_t fallbacks = 0;  // top-sellers answers for a failure
  };

  // `metrics` is not owned and may be null.
  explicit EngineCounters(RecommenderMetrics* metrics) : metrics_(metrics) {}

  // "hit" (from Redis), "local_hit" (from the in-process cache), "miss",
  // "fenced" (another replica's delete came first: not an error) or an
  // error ("error").
  void CountCache(absl::string_view result);
  // A fallback by its metric label: the builtin ranker standing in, or a
  // caller taking what there is.
  void CountFallback(absl::string_view code);
  // A fallback to top sellers: counted in the stats as well.
  void CountTopSellers(absl::string_view code);
  void CountModelCall();
  // An answer served to a shopper in an experiment (variant "holdout" for
  // the holdout).
  void CountAssignment(absl::string_view experiment, absl::string_view variant);
  // A cache delete for invalidation: "ok", "error", "retried", ...
  void CountInvalidation(const char* result);

  Stats stats() const;

 private:
  RecommenderMetrics* const metrics_;
  mutable absl::Mutex mu_;
  Stats stats_ ABSL_GUARDED_BY(mu_);
};

using EngineStats = EngineCounters::Stats;

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_ENGINE_STATS_H_
