// Checks an incoming interaction against the contract in interaction.proto
// and fills in what the server chooses (event id, timestamp). Pure functions:
// the clock is a parameter.
#ifndef SMARTSHOP_SERVICES_TRACKING_INTERACTION_VALIDATOR_H_
#define SMARTSHOP_SERVICES_TRACKING_INTERACTION_VALIDATOR_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/storable_text.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::tracking {

// Documented limits (bytes).
inline constexpr size_t kMaxIdBytes = 128;  // user_id, session_key
inline constexpr size_t kMaxSearchQueryBytes = 512;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr size_t kMaxUserAgentBytes = 512;
inline constexpr size_t kMaxExtraDataBytes = 16 * 1024;
inline constexpr int kMaxExtraDataDepth = 32;
inline constexpr int kMaxQuantity = 1'000'000;
inline constexpr absl::Duration kMaxFutureSkew = absl::Minutes(5);
// The earliest event timestamp accepted: 1990-01-01T00:00:00Z. Nothing a
// web shop tracks happened earlier (the oldest public shop datasets start in
// the mid-1990s: MovieLens in 1996), and a year like 12 or 36, or the epoch,
// is a client's bug (a two-digit year, a zeroed struct), not history.
inline constexpr int64_t kEarliestEventUnixSeconds = 631'152'000;
inline constexpr char kEarliestEventText[] = "1990-01-01T00:00:00Z";

// What is wrong and with which field (the proto field name).
struct FieldViolation {
  std::string field;
  std::string description;
};

// The first rule `event` breaks, or nullopt when it is valid at time `now`.
std::optional<FieldViolation> FindViolation(
    const smartshop::v1::Interaction& event, absl::Time now);

// The instant `ts` names.

// Within the range and normalisation rules of google.protobuf.Timestamp
// (0001-01-01 to 9999-12-31): what query bounds such as `since` may be.
// Event timestamps are narrower (FindViolation).
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);

// INVALID_ARGUMENT "<field>: <description>".
absl::Status ToStatus(const FieldViolation& violation);

// Most positions an interaction may name (Interaction.position; 0 = none).
inline constexpr int kMaxInteractionPosition = 1000;

// What is wrong with the attribution fields (recommendation_id, position),
// or nullopt when nothing is. Never a reason to refuse the event: Normalize
// stores it without the field at fault (a malformed recommendation_id
// drops its position too) and the caller reports this as a warning.
std::optional<FieldViolation> FindAttributionProblem(
    const smartshop::v1::Interaction& event);

// REQUIRES: FindViolation(event, now) is nullopt.
// The event as stored: event_id generated when empty and otherwise in
// canonical lower case, timestamp = now when unset, extra_data "{}" when
// empty, sequence cleared, recommendation_id in canonical lower case, and
// the attribution field FindAttributionProblem names cleared.
smartshop::v1::Interaction Normalize(smartshop::v1::Interaction event,
                                     absl::Time now);

// IsStorableText: common/storable_text.h.
using ::smartshop::IsStorableText;

// The canonical lower-case form of a UUID in any accepted spelling (any
// case, with or without braces and dashes); nullopt for anything else.
std::optional<std::string> CanonicalUuid(const std::string& text);

// The database name of a type ("view_product"); empty for unknown values.
absl::string_view TypeName(smartshop::v1::InteractionType type);
// The inverse of TypeName; INTERACTION_TYPE_UNSPECIFIED for unknown names.
smartshop::v1::InteractionType TypeFromName(absl::string_view name);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INTERACTION_VALIDATOR_H_
