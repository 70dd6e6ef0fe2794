// The recommender's Prometheus metrics: cache results, model calls by
// outcome with latency, tokens and estimated cost, fallbacks by reason,
// catalog size. Thread-safe (prometheus-cpp metrics are).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_METRICS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_METRICS_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace smartshop::recommender {

class RecommenderMetrics {
 public:
  // Registers the families in `registry`, which must outlive this.
  explicit RecommenderMetrics(prometheus::Registry& registry);

  // result: "hit", "miss" or "error".
  void CacheResult(absl::string_view result);
  // outcome: "ok" or a failure code (see ModelFailureCode).
  void ModelCall(absl::string_view outcome, absl::Duration latency);
  // `cached_prompt_tokens` is the part of `prompt_tokens` OpenAI served
  // from its prompt cache; tokens are counted by kind cached_input / input
  // (the rest of the prompt) / output.
  void ModelUsage(int64_t prompt_tokens, int64_t cached_prompt_tokens,
                  int64_t completion_tokens, double cost_usd);
  // A stored reply answered instead of a call.
  void ModelReplyReused();
  // reason: a short code, e.g. "model_rate_limited", "tracking_error".
  void Fallback(absl::string_view reason);
  void SetCatalogProducts(int64_t products);
  // result: "ok" or "error" (cache unreachable).
  void Invalidation(absl::string_view result);
  // The served log (served_log.h): records by outcome, and those waiting.
  void ServedLog(absl::string_view outcome, int64_t records);
  void SetServedLogPending(int64_t pending);
  // An answer served in an experiment, by experiment and variant.
  void ExperimentAssignment(absl::string_view experiment,
                            absl::string_view variant);
  // The builtin ranker's model and the event feed that keeps it current.
  struct ModelState {
    int64_t bytes = 0;
    int64_t events = 0;
    int64_t products = 0;
    int64_t feed_position = 0;
    bool feed_connected = false;
    bool caught_up = false;
    // Replaying the log and not caught up yet (readiness says "warming").
    bool warming = false;
    // Events received while replaying, a running total the counter follows.
    int64_t replayed_events = 0;
  };
  void SetModel(const ModelState& state);
  // The Redis breaker (cache/redis_breaker.h): whether it is open, and the
  // calls it has refused so far, a running total the counter follows.
  void SetRedisBreaker(bool open, int64_t short_circuited_total);
  // The model's budget (model/model_budget.h): its caps (0 = none), today's
  // spend, and calls it refused by cap ("daily_spend", "calls_per_minute").
  void SetModelBudget(double daily_cap_usd, int64_t calls_per_minute_cap);
  void SetModelSpendToday(double usd);
  void ModelBudgetRefused(absl::string_view cap);
  // Routing by history length (--model_route_max_history): route "model"
  // or "builtin".
  void ModelRoute(absl::string_view route);

 private:
  static prometheus::Gauge& Gauge(prometheus::Registry& registry,
                                  const std::string& name,
                                  const std::string& help);

  prometheus::Family<prometheus::Counter>& cache_;
  prometheus::Family<prometheus::Counter>& model_calls_;
  prometheus::Histogram& model_latency_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Counter& cost_;
  prometheus::Counter& replies_reused_;
  prometheus::Family<prometheus::Counter>& fallbacks_;
  prometheus::Gauge& catalog_products_;
  prometheus::Family<prometheus::Counter>& invalidations_;
  prometheus::Family<prometheus::Counter>& served_log_;
  prometheus::Gauge& served_log_pending_;
  prometheus::Family<prometheus::Counter>& assignments_;
  prometheus::Gauge& model_bytes_;
  prometheus::Gauge& model_events_;
  prometheus::Gauge& model_products_;
  prometheus::Gauge& feed_position_;
  prometheus::Gauge& feed_connected_;
  prometheus::Gauge& model_caught_up_;
  prometheus::Gauge& warming_;
  prometheus::Counter& replayed_events_;
  std::atomic<int64_t> replayed_events_seen_{0};
  prometheus::Gauge& redis_breaker_open_;
  prometheus::Counter& redis_short_circuited_;
  std::atomic<int64_t> redis_short_circuited_seen_{0};
  prometheus::Gauge& model_spend_today_;
  prometheus::Gauge& model_daily_budget_;
  prometheus::Gauge& model_calls_per_minute_cap_;
  prometheus::Family<prometheus::Counter>& model_budget_refusals_;
  prometheus::Family<prometheus::Counter>& routing_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_METRICS_H_
