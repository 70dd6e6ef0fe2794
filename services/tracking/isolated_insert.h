// Multi-event writes (TrackBatch, a StreamTrack slice, a group commit) in
// which one event the database refuses costs no other. The events go in as
// one transaction; only when the database refuses their data
// (INVALID_ARGUMENT, never a lost connection or a timeout) are they split in
// halves, again and again, down to the events at fault. With k refused
// events among n that is at most about 2·k·log2(n) more transactions, and
// none while every event is good.
#ifndef SMARTSHOP_SERVICES_TRACKING_ISOLATED_INSERT_H_
#define SMARTSHOP_SERVICES_TRACKING_ISOLATED_INSERT_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/tracking/interaction_store.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::tracking {

// What the callers of an event refused by the database are told; the
// database's reason is only logged (storage_error.h).
inline constexpr char kEventRejectedMessage[] = "storage: event rejected";

struct InsertOutcome {
  // Not OK: the database refused this event (INVALID_ARGUMENT,
  // kEventRejectedMessage), and nothing of it was stored.
  absl::Status status;
  // When OK: newly stored; false = its event_id was already stored.
  bool stored = false;
};

// REQUIRES: as InteractionStore::Insert.
// One outcome per event, in order. Any other store error fails the whole
// call; parts may already be committed then, and retrying everything is safe
// (they come back as duplicates).
absl::StatusOr<std::vector<InsertOutcome>> InsertIsolatingRejects(
    InteractionStore& store,
    absl::Span<const smartshop::v1::Interaction> events, absl::Time deadline);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_ISOLATED_INSERT_H_
