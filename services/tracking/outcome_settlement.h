// When a served answer's attribution can no longer change, so that its facts
// may be kept (served_outcomes, migration 0006): shared by the settling job
// and the writers that must undo a settlement when something late arrives.
#ifndef SMARTSHOP_SERVICES_TRACKING_OUTCOME_SETTLEMENT_H_
#define SMARTSHOP_SERVICES_TRACKING_OUTCOME_SETTLEMENT_H_

#include "absl/time/time.h"

namespace smartshop::tracking {

// An answer's facts are final 2 windows after serving (a click within the
// window, its conversion within the window after the click); it is settled
// this much later still, for events that arrive late (buffered by an app,
// retried by a client).
inline constexpr absl::Duration kSettlementDelay = absl::Hours(1);

// What a writer counts as late: anything older than this may touch an
// answer settled already, and moves the settlement back in the writer's
// transaction. Half the delay (kSettlementDelay), so that replicas' clocks may
// differ by half an hour without a late arrival slipping between the two.
inline constexpr absl::Duration kLateArrival = absl::Minutes(30);

// Moves settled_until back to $1 (a timestamptz) minus `windows` conversion
// windows when it is later: an impression (0 windows: its answer's
// served_at), a served answer or an event (2 windows: an answer's id can
// move carts and orders from earlier answers, an event counts for the
// answers served up to 2 windows before it). Unconditional, so that it
// waits for a settling chunk under way (which holds the row) and then
// applies to the mark the chunk leaves: a condition on the mark as it was
// would let the chunk settle past the late row unseen. Only late arrivals
// run it.
inline constexpr char kUndoSettlementSql[] =
    "UPDATE served_outcomes_settled SET settled_until = least(settled_until, "
    "$1::timestamptz)";
inline constexpr char kUndoSettlementTwoWindowsSql[] =
    "UPDATE served_outcomes_settled SET settled_until = least(settled_until, "
    "$1::timestamptz - 2 * conversion_window)";

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_OUTCOME_SETTLEMENT_H_
