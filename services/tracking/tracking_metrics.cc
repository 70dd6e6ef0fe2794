#include "services/tracking/tracking_metrics.h"

#include <string>

namespace smartshop::tracking {

TrackingMetrics::TrackingMetrics(prometheus::Registry& registry)
    : events_(prometheus::BuildCounter()
                  .Name("smartshop_tracking_events_total")
                  .Help("Events received, by outcome (stored, duplicate, "
                        "rejected).")
                  .Register(registry)),
      batches_(prometheus::BuildHistogram()
                   .Name("smartshop_tracking_batch_size_events")
                   .Help("Events per write, by kind of write.")
                   .Register(registry)),
      pool_in_use_(prometheus::BuildGauge()
                       .Name("smartshop_tracking_db_pool_in_use_connections")
                       .Help("Postgres connections handed out right now.")
                       .Register(registry)
                       .Add({})),
      pool_size_(prometheus::BuildGauge()
                     .Name("smartshop_tracking_db_pool_max_connections")
                     .Help("Most Postgres connections the pool opens.")
                     .Register(registry)
                     .Add({})),
      group_commit_queued_(
          prometheus::BuildGauge()
              .Name("smartshop_tracking_group_commit_queued_events")
              .Help("Unary Track events waiting for their group commit "
                    "(queued or being committed); at most "
                    "--max_queued_events.")
              .Register(registry)
              .Add({})),
      group_commit_refused_(
          prometheus::BuildCounter()
              .Name("smartshop_tracking_group_commit_refused_total")
              .Help("Unary Track events refused with RESOURCE_EXHAUSTED "
                    "because --max_queued_events were waiting.")
              .Register(registry)
              .Add({})),
      horizon_lag_(
          prometheus::BuildGauge()
              .Name("smartshop_tracking_subscribe_horizon_lag_seconds")
              .Help("How long the oldest committed event that Subscribe "
                    "cannot deliver yet has waited, because an older "
                    "transaction anywhere in the Postgres cluster is still "
                    "open; 0 = none waiting, NaN = the database did not "
                    "answer.")
              .Register(registry)
              .Add({})),
      served_(prometheus::BuildCounter()
                  .Name("smartshop_tracking_served_recommendations_total")
                  .Help("Served answers sent by the recommender "
                        "(RecordServed), by outcome (stored, duplicate).")
                  .Register(registry)),
      impressions_(prometheus::BuildCounter()
                       .Name("smartshop_tracking_impressions_total")
                       .Help("Impressions received (TrackImpressions), by "
                             "outcome (stored, duplicate, rejected).")
                       .Register(registry)),
      unknown_impression_recommendations_(
          prometheus::BuildCounter()
              .Name("smartshop_tracking_impression_unknown_recommendation_"
                    "ids_total")
              .Help("Stored impressions whose recommendation_id the served "
                    "log did not hold when they arrived.")
              .Register(registry)
              .Add({})),
      attributed_interactions_(
          prometheus::BuildCounter()
              .Name("smartshop_tracking_attributed_interactions_total")
              .Help("Stored interactions that came with a recommendation_id, "
                    "by outcome: kept, or dropped_malformed (stored without "
                    "the attribution fields).")
              .Register(registry)) {}

void TrackingMetrics::Events(int64_t stored, int64_t duplicates,
                             int64_t rejected) {
  events_.Add({{"outcome", "stored"}}).Increment(static_cast<double>(stored));
  events_.Add({{"outcome", "duplicate"}})
      .Increment(static_cast<double>(duplicates));
  events_.Add({{"outcome", "rejected"}})
      .Increment(static_cast<double>(rejected));
}

void TrackingMetrics::Batch(absl::string_view kind, size_t events) {
  batches_
      .Add({{"kind", std::string(kind)}},
           prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 25, 50, 100,
                                                   250, 500, 1000, 5000})
      .Observe(static_cast<double>(events));
}

void TrackingMetrics::Pool(int in_use, int size) {
  pool_in_use_.Set(in_use);
  pool_size_.Set(size);
}

void TrackingMetrics::GroupCommitQueue(size_t events) {
  group_commit_queued_.Set(static_cast<double>(events));
}

void TrackingMetrics::GroupCommitRefused() {
  group_commit_refused_.Increment();
}

void TrackingMetrics::SubscribeHorizonLag(double seconds) {
  horizon_lag_.Set(seconds);
}

void TrackingMetrics::ServedRecorded(int64_t stored, int64_t duplicates) {
  served_.Add({{"outcome", "stored"}}).Increment(static_cast<double>(stored));
  served_.Add({{"outcome", "duplicate"}})
      .Increment(static_cast<double>(duplicates));
}

void TrackingMetrics::Impressions(int64_t stored, int64_t duplicates,
                                  int64_t rejected) {
  impressions_.Add({{"outcome", "stored"}})
      .Increment(static_cast<double>(stored));
  impressions_.Add({{"outcome", "duplicate"}})
      .Increment(static_cast<double>(duplicates));
  impressions_.Add({{"outcome", "rejected"}})
      .Increment(static_cast<double>(rejected));
}

void TrackingMetrics::UnknownImpressionRecommendations(int64_t count) {
  unknown_impression_recommendations_.Increment(static_cast<double>(count));
}

void TrackingMetrics::AttributedInteractions(int64_t kept,
                                             int64_t dropped_malformed) {
  attributed_interactions_.Add({{"outcome", "kept"}})
      .Increment(static_cast<double>(kept));
  attributed_interactions_.Add({{"outcome", "dropped_malformed"}})
      .Increment(static_cast<double>(dropped_malformed));
}

}  // namespace smartshop::tracking
