// The tracking service's Prometheus metrics: events by outcome, batch sizes
// by kind, Postgres pool use, the group-commit queue, the Subscribe feed's
// lag, the insights ingest (served answers, impressions, interactions
// carrying a recommendation id). Thread-safe (prometheus-cpp metrics are).
#ifndef SMARTSHOP_SERVICES_TRACKING_TRACKING_METRICS_H_
#define SMARTSHOP_SERVICES_TRACKING_TRACKING_METRICS_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace smartshop::tracking {

class TrackingMetrics {
 public:
  // Registers the families in `registry`, which must outlive this.
  explicit TrackingMetrics(prometheus::Registry& registry);

  void Events(int64_t stored, int64_t duplicates, int64_t rejected);
  // kind: "track_batch", "stream_slice" or "group_commit".
  void Batch(absl::string_view kind, size_t events);
  void Pool(int in_use, int size);
  // Unary Track events waiting for their group commit, and one more refused
  // because too many were.
  void GroupCommitQueue(size_t events);
  void GroupCommitRefused();
  // How long the oldest committed event the Subscribe feed cannot deliver
  // yet has waited (InteractionStore::LogHorizonLag); NaN when unknown.
  void SubscribeHorizonLag(double seconds);

  // InsightsService.RecordServed: answers newly stored and already there.
  void ServedRecorded(int64_t stored, int64_t duplicates);
  // InsightsService.TrackImpressions: impressions by outcome, and the stored
  // ones whose recommendation_id the served log does not hold (yet).
  void Impressions(int64_t stored, int64_t duplicates, int64_t rejected);
  void UnknownImpressionRecommendations(int64_t count);
  // Stored interactions that came with a recommendation_id: kept with it,
  // or stored without it because it was malformed.
  void AttributedInteractions(int64_t kept, int64_t dropped_malformed);

 private:
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Histogram>& batches_;
  prometheus::Gauge& pool_in_use_;
  prometheus::Gauge& pool_size_;
  prometheus::Gauge& group_commit_queued_;
  prometheus::Counter& group_commit_refused_;
  prometheus::Gauge& horizon_lag_;
  prometheus::Family<prometheus::Counter>& served_;
  prometheus::Family<prometheus::Counter>& impressions_;
  prometheus::Counter& unknown_impression_recommendations_;
  prometheus::Family<prometheus::Counter>& attributed_interactions_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_TRACKING_METRICS_H_
