// The answer both tracking services give while the schema is not migrated.
#ifndef SMARTSHOP_SERVICES_TRACKING_SCHEMA_READINESS_H_
#define SMARTSHOP_SERVICES_TRACKING_SCHEMA_READINESS_H_

#include <atomic>

#include "absl/status/status.h"

namespace smartshop::tracking {

// OK once `ready` is true, else UNAVAILABLE saying the service is starting.
inline absl::Status CheckSchemaReady(const std::atomic<bool>& ready) {
  if (ready.load()) return absl::OkStatus();
  return absl::UnavailableError(
      "tracking is starting: the database is not reachable or not migrated "
      "yet");
}

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_SCHEMA_READINESS_H_
