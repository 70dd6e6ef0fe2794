// Privacy by default: the shopper's IP address and user agent are kept for a
// limited time only. A background job clears them from interactions older
// than the retention (default 90 days) in bounded batches, so it never
// holds long locks; the events themselves stay for the recommender.
#ifndef SMARTSHOP_SERVICES_TRACKING_PII_RETENTION_H_
#define SMARTSHOP_SERVICES_TRACKING_PII_RETENTION_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

struct PiiRetentionOptions {
  absl::Duration retention = absl::Hours(24 * 90);
  // How often the job runs.
  absl::Duration interval = absl::Hours(1);
  // Rows cleared per statement.
  int batch_size = 10'000;
  // Bound on each statement.
  absl::Duration statement_timeout = absl::Seconds(30);
};

class PiiRetention {
 public:
  // `store` and `clock` are not owned and must outlive this.
  PiiRetention(InteractionStore* store, PiiRetentionOptions options,
               const Clock* clock = &Clock::Real())
      : store_(store), options_(options), clock_(clock) {}
  // Stops the job and waits for it.
  ~PiiRetention();

  // Runs the job every `interval` on a thread of its own, first at once.
  void Start();

  // One run: clears everything older than the retention, batch by batch.
  // How many interactions were cleared; the first error stops the run.
  absl::StatusOr<int64_t> RunOnce();

 private:
  InteractionStore* const store_;
  const PiiRetentionOptions options_;
  const Clock* const clock_;
  absl::Notification stopping_;
  std::thread thread_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PII_RETENTION_H_
