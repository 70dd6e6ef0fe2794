// Where interactions live: an append-only log, idempotent by event_id.
#ifndef SMARTSHOP_SERVICES_TRACKING_INTERACTION_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_INTERACTION_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::tracking {

// A position in the newest-first order: (timestamp, sequence).
struct InteractionCursor {
  int64_t timestamp_micros = 0;
  int64_t sequence = 0;
  bool operator==(const InteractionCursor&) const = default;
};

struct InteractionQuery {
  std::string user_id;          // empty = any
  std::string exclude_user_id;  // empty = none; anonymous events are kept
  std::string session_key;      // empty = any
  std::vector<smartshop::v1::InteractionType> types;  // empty = all
  std::optional<absl::Time> since;                    // inclusive
  std::optional<absl::Time> until;                    // exclusive
  int limit = 100;
  std::optional<InteractionCursor> after;  // strictly older than this
};

// A place in the event log: the writing transaction's id, then the row's
// sequence. Ordered; {0, 0} is before everything.
struct LogPosition {
  int64_t txid = 0;
  int64_t sequence = 0;
  auto operator<=>(const LogPosition&) const = default;
};

struct LogEntry {
  LogPosition position;
  smartshop::v1::Interaction event;
};

struct InteractionPage {
  std::vector<smartshop::v1::Interaction> interactions;  // newest first
  std::optional<InteractionCursor> next;  // set when more may follow
};

class InteractionStore {
 public:
  virtual ~InteractionStore() = default;

  // REQUIRES: every event passed FindViolation and Normalize, and no two
  // share an event_id.
  // Commits all of `events` in one transaction, skipping those whose
  // event_id is already stored. Returns, per event, whether it was newly
  // stored. On error nothing was committed (or, for UNAVAILABLE after a lost
  // commit, possibly everything: retrying is safe).
  virtual absl::StatusOr<std::vector<bool>> Insert(
      absl::Span<const smartshop::v1::Interaction> events,
      absl::Time deadline) = 0;

  // Interactions matching `query`, newest first, with sequence set.
  virtual absl::StatusOr<InteractionPage> List(const InteractionQuery& query,
                                               absl::Time deadline) = 0;

  // Up to `limit` log entries after `after`, in log order, among those no
  // later commit can precede: written by transactions older than every
  // transaction still running. So the log read this way never has a hole
  // that a later commit fills.
  virtual absl::StatusOr<std::vector<LogEntry>> ListAfter(
      LogPosition after, int limit, absl::Time deadline) = 0;

  // How long the oldest committed entry that ListAfter cannot return yet has
  // waited (since its transaction began); zero when none waits. Entries
  // wait while any older transaction is open anywhere in the database
  // cluster, so this is the feed's lag that the rest of the cluster causes.
  virtual absl::StatusOr<absl::Duration> LogHorizonLag(absl::Time deadline) = 0;

  // Deletes every interaction of `user_id`; how many were deleted.
  virtual absl::StatusOr<int64_t> DeleteUser(const std::string& user_id,
                                             absl::Time deadline) = 0;

  // Clears ip_address and user_agent of up to `limit` interactions that
  // happened before `cutoff` and still hold either; how many were cleared.
  virtual absl::StatusOr<int64_t> AnonymizeBefore(absl::Time cutoff, int limit,
                                                  absl::Time deadline) = 0;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INTERACTION_STORE_H_
