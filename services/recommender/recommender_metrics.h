// The recommender's Prometheus metrics: cache results, model calls by
// outcome with latency, tokens and estimated cost, fallbacks by reason,
// catalog size. Thread-safe (prometheus-cpp metrics are).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_METRICS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_METRICS_H_

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
  void ModelUsage(int64_t prompt_tokens, int64_t completion_tokens,
                  double cost_usd);
  // reason: a short code, e.g. "model_rate_limited", "tracking_error".
  void Fallback(absl::string_view reason);
  void SetCatalogProducts(int64_t products);

 private:
  prometheus::Family<prometheus::Counter>& cache_;
  prometheus::Family<prometheus::Counter>& model_calls_;
  prometheus::Histogram& model_latency_;
  prometheus::Family<prometheus::Counter>& tokens_;
  prometheus::Counter& cost_;
  prometheus::Family<prometheus::Counter>& fallbacks_;
  prometheus::Gauge& catalog_products_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDER_METRICS_H_
