// Upkeep of the interaction log's monthly partitions (see docs/architecture.md,
// "Storage at scale"): months made ahead of the events that will need them,
// and old months dropped whole, with their events and event ids.
#ifndef SMARTSHOP_SERVICES_TRACKING_INTERACTION_PARTITIONS_H_
#define SMARTSHOP_SERVICES_TRACKING_INTERACTION_PARTITIONS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace smartshop::tracking {

struct DroppedMonths {
  int months = 0;
  int64_t events = 0;
};

class InteractionPartitions {
 public:
  virtual ~InteractionPartitions() = default;

  // Makes sure each of `months` (UTC) has its partition; how many were made.
  // Safe to call from several replicas at once.
  virtual absl::StatusOr<int> CreateMonths(
      const std::vector<absl::CivilMonth>& months, absl::Time deadline) = 0;

  // Drops every month before `first_kept` (UTC) with its events, and forgets
  // their event ids. Each month goes in a transaction of its own, so an
  // error leaves whole months dropped or kept.
  virtual absl::StatusOr<DroppedMonths> DropMonthsBefore(
      absl::CivilMonth first_kept, absl::Time deadline) = 0;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INTERACTION_PARTITIONS_H_
