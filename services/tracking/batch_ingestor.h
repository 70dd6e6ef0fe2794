// Ingests a batch of interactions: each event is validated on its own, the
// valid ones are committed together (split up only if the database refuses
// one, isolated_insert.h), and every event gets a result, so that one bad
// event never costs the others.
#ifndef SMARTSHOP_SERVICES_TRACKING_BATCH_INGESTOR_H_
#define SMARTSHOP_SERVICES_TRACKING_BATCH_INGESTOR_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/clock.h"
#include "services/tracking/interaction_store.h"
#include "smartshop/v1/tracking.pb.h"

namespace smartshop::tracking {

class BatchIngestor {
 public:
  // `store` and `clock` are not owned and must outlive this.
  BatchIngestor(InteractionStore* store, const Clock* clock)
      : store_(store), clock_(clock) {}

  // One result per event, in order, with index = first_index + position.
  // Events repeating an event_id seen earlier in the batch are DUPLICATE; an
  // event the database refused is REJECTED with no field and the error
  // "storage: event rejected". A STORED event whose attribution fields were
  // malformed (FindAttributionProblem) carries that warning in field and
  // error. An error means the store failed (unavailable,
  // timed out): some events may be stored, and retrying the whole batch is
  // safe.
  absl::StatusOr<std::vector<smartshop::v1::EventResult>> Ingest(
      absl::Span<const smartshop::v1::Interaction* const> events,
      int64_t first_index, absl::Time deadline);

 private:
  InteractionStore* const store_;
  const Clock* const clock_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_BATCH_INGESTOR_H_
