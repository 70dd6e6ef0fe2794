// The answer both tracking services give while the schema is not migrated:
// their readiness in the edge policy (common/edge_policy.h).
#ifndef SMARTSHOP_SERVICES_TRACKING_SCHEMA_READINESS_H_
#define SMARTSHOP_SERVICES_TRACKING_SCHEMA_READINESS_H_

#include <atomic>

#include "absl/status/status.h"
#include "common/edge_policy.h"

namespace smartshop::tracking {

// OK once `ready` is true, else UNAVAILABLE saying the service is starting.
inline absl::Status CheckSchemaReady(const std::atomic<bool>& ready) {
  if (ready.load()) return absl::OkStatus();
  return absl::UnavailableError(
      "tracking is starting: the database is not reachable or not migrated "
      "yet");
}

// The readiness of a tracking service for its EdgePolicy. `ready` is not
// owned and must outlive the policy.
inline EdgePolicy::Readiness SchemaReadiness(const std::atomic<bool>* ready) {
  return [ready] { return CheckSchemaReady(*ready); };
}

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_SCHEMA_READINESS_H_
