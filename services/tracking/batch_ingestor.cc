#include "services/tracking/batch_ingestor.h"

#include "absl/container/flat_hash_set.h"
#include "services/tracking/interaction_validator.h"
#include "services/tracking/isolated_insert.h"

namespace smartshop::tracking {

using smartshop::v1::EventResult;
using smartshop::v1::Interaction;

absl::StatusOr<std::vector<EventResult>> BatchIngestor::Ingest(
    absl::Span<const Interaction* const> events, int64_t first_index,
    absl::Time deadline) {
  const absl::Time now = clock_->Now();
  std::vector<EventResult> results(events.size());
  std::vector<Interaction> to_store;
  std::vector<size_t> stored_positions;
  absl::flat_hash_set<std::string> seen_ids;
  for (size_t i = 0; i < events.size(); ++i) {
    EventResult& result = results[i];
    result.set_index(first_index + static_cast<int64_t>(i));
    if (auto violation = FindViolation(*events[i], now)) {
      result.set_event_id(events[i]->event_id());
      result.set_outcome(smartshop::v1::REJECTED);
      result.set_field(violation->field);
      result.set_error(violation->description);
      continue;
    }
    Interaction event = Normalize(*events[i], now);
    result.set_event_id(event.event_id());
    // Set now, kept only if the event is stored (below).
    if (auto problem = FindAttributionProblem(*events[i])) {
      result.set_field(problem->field);
      result.set_error(problem->description);
    }
    if (!seen_ids.insert(event.event_id()).second) {
      result.set_outcome(smartshop::v1::DUPLICATE);
      result.clear_field();
      result.clear_error();
      continue;
    }
    stored_positions.push_back(i);
    to_store.push_back(std::move(event));
  }
  absl::StatusOr<std::vector<InsertOutcome>> outcomes =
      InsertIsolatingRejects(*store_, to_store, deadline);
  if (!outcomes.ok()) return outcomes.status();
  for (size_t k = 0; k < stored_positions.size(); ++k) {
    EventResult& result = results[stored_positions[k]];
    const InsertOutcome& outcome = (*outcomes)[k];
    if (!outcome.status.ok()) {
      // No field to name: the database refused the row as a whole.
      result.set_outcome(smartshop::v1::REJECTED);
      result.clear_field();
      result.set_error(std::string(outcome.status.message()));
      continue;
    }
    result.set_outcome(outcome.stored ? smartshop::v1::STORED
                                      : smartshop::v1::DUPLICATE);
    if (!outcome.stored) {
      result.clear_field();
      result.clear_error();
    }
  }
  return results;
}

}  // namespace smartshop::tracking
