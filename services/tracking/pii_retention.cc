#include "services/tracking/pii_retention.h"

#include <vector>

#include "absl/time/civil_time.h"
#include "common/json_log.h"

namespace smartshop::tracking {

PiiRetention::~PiiRetention() {
  stopping_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PiiRetention::Start() {
  thread_ = std::thread([this] {
    do {
      absl::StatusOr<PartitionUpkeep> upkeep = KeepPartitions();
      if (!upkeep.ok()) {
        Log(LogLevel::kWarning, "partition_upkeep_failed",
            {{"error", upkeep.status().ToString()}});
      } else if (upkeep->created > 0 || upkeep->dropped.months > 0 ||
                 upkeep->insights_created > 0 ||
                 upkeep->insights_dropped.months > 0) {
        Log(LogLevel::kInfo, "partition_upkeep",
            {{"months_created", int64_t{upkeep->created}},
             {"months_dropped", int64_t{upkeep->dropped.months}},
             {"events_dropped", upkeep->dropped.events},
             {"insights_months_created", int64_t{upkeep->insights_created}},
             {"insights_months_dropped",
              int64_t{upkeep->insights_dropped.months}},
             {"insights_rows_dropped", upkeep->insights_dropped.events}});
      }
      if (options_.retention > absl::ZeroDuration()) {
        absl::StatusOr<int64_t> cleared = RunOnce();
        if (!cleared.ok()) {
          // Postgres away or migrating: the next run catches up.
          Log(LogLevel::kWarning, "pii_retention_failed",
              {{"error", cleared.status().ToString()}});
        } else if (*cleared > 0) {
          Log(LogLevel::kInfo, "pii_retention",
              {{"cleared", *cleared},
               {"retention_days",
                absl::ToInt64Hours(options_.retention) / 24}});
        }
      }
    } while (!stopping_.WaitForNotificationWithTimeout(options_.interval));
  });
}

absl::StatusOr<PartitionUpkeep> PiiRetention::KeepPartitions() {
  const absl::CivilMonth now(
      absl::ToCivilSecond(clock_->Now(), absl::UTCTimeZone()));
  const absl::Time deadline = absl::Now() + options_.statement_timeout;
  std::vector<absl::CivilMonth> months;
  for (int ahead = 0; ahead <= options_.months_ahead; ++ahead) {
    months.push_back(now + ahead);
  }
  PartitionUpkeep upkeep;
  absl::StatusOr<int> created = partitions_->CreateMonths(months, deadline);
  if (!created.ok()) return created.status();
  upkeep.created = *created;
  if (options_.retention_months > 0) {
    absl::StatusOr<DroppedMonths> dropped = partitions_->DropMonthsBefore(
        now - options_.retention_months, deadline);
    if (!dropped.ok()) return dropped.status();
    upkeep.dropped = *dropped;
  }
  if (options_.insights_partitions != nullptr) {
    absl::StatusOr<int> made =
        options_.insights_partitions->CreateMonths(months, deadline);
    if (!made.ok()) return made.status();
    upkeep.insights_created = *made;
    if (options_.insights_retention > absl::ZeroDuration()) {
      // The first month that still holds a moment within the retention.
      const absl::CivilMonth first_kept(absl::ToCivilSecond(
          clock_->Now() - options_.insights_retention, absl::UTCTimeZone()));
      absl::StatusOr<DroppedMonths> dropped =
          options_.insights_partitions->DropMonthsBefore(first_kept, deadline);
      if (!dropped.ok()) return dropped.status();
      upkeep.insights_dropped = *dropped;
    }
  }
  return upkeep;
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
