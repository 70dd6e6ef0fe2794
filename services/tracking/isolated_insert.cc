#include "services/tracking/isolated_insert.h"

namespace smartshop::tracking {
namespace {

// Fills `outcomes` (as long as `events`) or returns the error that ends the
// whole call.
absl::Status InsertRange(InteractionStore& store,
                         absl::Span<const smartshop::v1::Interaction> events,
                         absl::Time deadline,
                         absl::Span<InsertOutcome> outcomes) {
  absl::StatusOr<std::vector<bool>> stored = store.Insert(events, deadline);
  if (stored.ok()) {
    for (size_t i = 0; i < events.size(); ++i)
      outcomes[i].stored = (*stored)[i];
    return absl::OkStatus();
  }
  if (stored.status().code() != absl::StatusCode::kInvalidArgument) {
    return stored.status();
  }
  if (events.size() == 1) {
    outcomes[0].status = absl::InvalidArgumentError(kEventRejectedMessage);
    return absl::OkStatus();
  }
  const size_t half = events.size() / 2;
  if (absl::Status first = InsertRange(store, events.subspan(0, half), deadline,
                                       outcomes.subspan(0, half));
      !first.ok()) {
    return first;
  }
  return InsertRange(store, events.subspan(half), deadline,
                     outcomes.subspan(half));
}

}  // namespace

absl::StatusOr<std::vector<InsertOutcome>> InsertIsolatingRejects(
    InteractionStore& store,
    absl::Span<const smartshop::v1::Interaction> events, absl::Time deadline) {
  std::vector<InsertOutcome> outcomes(events.size());
  if (events.empty()) return outcomes;
  absl::Status status =
      InsertRange(store, events, deadline, absl::MakeSpan(outcomes));
  if (!status.ok()) return status;
  return outcomes;
}

}  // namespace smartshop::tracking
