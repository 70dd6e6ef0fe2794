// The retention job. Privacy by default: the shopper's IP address and user
// agent are kept for a limited time only; the job clears them from
// interactions older than the retention (default 90 days) in bounded
// batches, so it never holds long locks; the events themselves stay for the
// recommender. On the same schedule it keeps the log's monthly partitions:
// the months ahead are made before events need them, and, with a retention
// in months, whole months older than that are dropped. The insights
// tables' months (served answers, impressions) are kept alongside, with a
// retention in days (default 400).
#ifndef SMARTSHOP_SERVICES_TRACKING_PII_RETENTION_H_
#define SMARTSHOP_SERVICES_TRACKING_PII_RETENTION_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/tracking/interaction_partitions.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

struct PiiRetentionOptions {
  // Zero: IP addresses and user agents are kept.
  absl::Duration retention = absl::Hours(24 * 90);
  // How often the job runs.
  absl::Duration interval = absl::Hours(1);
  // Rows cleared per statement.
  int batch_size = 10'000;
  // Bound on each statement.
  absl::Duration statement_timeout = absl::Seconds(30);
  // Partitions made ahead: this month and this many after it.
  int months_ahead = 3;
  // Months kept besides the current one; older months are dropped whole.
  // Zero: every month is kept.
  int retention_months = 0;
  // The insights tables' months (PgInsightsStore), kept on the same
  // schedule: made ahead as the interactions' are, and dropped once they
  // ended longer than insights_retention ago (zero: kept). Null = none.
  // Not owned.
  InteractionPartitions* insights_partitions = nullptr;
  absl::Duration insights_retention = absl::Hours(24 * 400);
};

struct PartitionUpkeep {
  int created = 0;
  DroppedMonths dropped;
  // Of the insights tables (both counted together).
  int insights_created = 0;
  DroppedMonths insights_dropped;
};

class PiiRetention {
 public:
  // `store`, `partitions` and `clock` are not owned and must outlive this.
  PiiRetention(InteractionStore* store, InteractionPartitions* partitions,
               PiiRetentionOptions options, const Clock* clock = &Clock::Real())
      : store_(store),
        partitions_(partitions),
        options_(options),
        clock_(clock) {}
  // Stops the job and waits for it.
  ~PiiRetention();

  // Runs the job every `interval` on a thread of its own, first at once.
  void Start();

  // One run: clears everything older than the retention, batch by batch.
  // How many interactions were cleared; the first error stops the run.
  absl::StatusOr<int64_t> RunOnce();

  // One run of the partition upkeep: makes this month and the months ahead,
  // then drops the months before the retention (if any); the same for the
  // insights tables when there are any.
  absl::StatusOr<PartitionUpkeep> KeepPartitions();

 private:
  InteractionStore* const store_;
  InteractionPartitions* const partitions_;
  const PiiRetentionOptions options_;
  const Clock* const clock_;
  absl::Notification stopping_;
  std::thread thread_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PII_RETENTION_H_
