#include "services/recommender/replica_readiness.h"

#include "absl/strings/str_cat.h"

namespace smartshop::recommender {

bool Warming(const EventFeed* feed) {
  return feed != nullptr && !feed->caught_up();
}

absl::Status ReplicaReadiness(bool catalog_loaded, const EventFeed* feed) {
  if (!catalog_loaded) {
    return absl::UnavailableError(
        "no catalog loaded from the tracking service yet");
  }
  if (Warming(feed)) {
    return absl::UnavailableError(
        absl::StrCat("warming: replaying the event log (",
                     feed->replayed_events(), " events so far)"));
  }
  return absl::OkStatus();
}

}  // namespace smartshop::recommender
