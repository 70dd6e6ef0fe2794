#include "services/tracking/pii_retention.h"

#include "common/json_log.h"

namespace smartshop::tracking {

PiiRetention::~PiiRetention() {
  stopping_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PiiRetention::Start() {
  thread_ = std::thread([this] {
    do {
      absl::StatusOr<int64_t> cleared = RunOnce();
      if (!cleared.ok()) {
        // Postgres away or migrating: the next run catches up.
        Log(LogLevel::kWarning, "pii_retention_failed",
            {{"error", cleared.status().ToString()}});
      } else if (*cleared > 0) {
        Log(LogLevel::kInfo, "pii_retention",
            {{"cleared", *cleared},
             {"retention_days", absl::ToInt64Hours(options_.retention) / 24}});
      }
    } while (!stopping_.WaitForNotificationWithTimeout(options_.interval));
  });
}

absl::StatusOr<int64_t> PiiRetention::RunOnce() {
  const absl::Time cutoff = clock_->Now() - options_.retention;
  int64_t total = 0;
  while (!stopping_.HasBeenNotified()) {
    absl::StatusOr<int64_t> cleared = store_->AnonymizeBefore(
        cutoff, options_.batch_size, absl::Now() + options_.statement_timeout);
    if (!cleared.ok()) return cleared.status();
    total += *cleared;
    if (*cleared < options_.batch_size) break;
  }
  return total;
}

}  // namespace smartshop::tracking
