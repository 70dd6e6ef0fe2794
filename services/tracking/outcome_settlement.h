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
// retried by a client). Anything older than this that arrives after all
// moves the settlement back (OutcomeSettlementUndoSql).
inline constexpr absl::Duration kSettlementDelay = absl::Hours(1);

// Moves settled_until back to $1 (a timestamptz) minus `windows` conversion
// windows when it is later: for a late served answer (0 windows: its own
// served_at) or a late event (2 windows: the answers it can count for).
// Touches no row otherwise, so it costs a probe of a one-row table.
inline constexpr char kUndoSettlementForAnswersSql[] =
    "UPDATE served_outcomes_settled SET settled_until = $1::timestamptz "
    "WHERE settled_until > $1::timestamptz";
inline constexpr char kUndoSettlementForEventsSql[] =
    "UPDATE served_outcomes_settled "
    "SET settled_until = $1::timestamptz - 2 * conversion_window "
    "WHERE settled_until > $1::timestamptz - 2 * conversion_window";

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_OUTCOME_SETTLEMENT_H_
