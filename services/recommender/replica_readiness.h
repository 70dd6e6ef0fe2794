// Whether a recommender replica should be sent traffic (/readyz and the gRPC
// health status): once it has a catalog and, when it follows the event log,
// once it has replayed the log. Until then it is "warming": it still answers
// (top sellers, and the builtin ranker from what it has learnt so far), but
// a load balancer should prefer replicas that are ready.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_REPLICA_READINESS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_REPLICA_READINESS_H_

#include "absl/status/status.h"
#include "services/recommender/event_feed.h"

namespace smartshop::recommender {

// OK when ready, else UNAVAILABLE saying why. `feed` is null when the
// replica does not follow the event log.
absl::Status ReplicaReadiness(bool catalog_loaded, const EventFeed* feed);

// True while `feed` (if any) has not caught up with the log.
bool Warming(const EventFeed* feed);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_REPLICA_READINESS_H_
