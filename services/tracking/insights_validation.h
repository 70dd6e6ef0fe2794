// Checks the InsightsService's input against insights.proto and fills in
// what the server chooses. Pure functions: the clock is a parameter.
#ifndef SMARTSHOP_SERVICES_TRACKING_INSIGHTS_VALIDATION_H_
#define SMARTSHOP_SERVICES_TRACKING_INSIGHTS_VALIDATION_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/tracking/insights_reader.h"
#include "services/tracking/interaction_validator.h"
#include "smartshop/v1/insights.pb.h"

namespace smartshop::tracking {

inline constexpr int kMaxServedPerCall = 1000;
inline constexpr int kMaxImpressionsPerCall = 1000;
inline constexpr int kMaxServedProducts = 100;
// user_id, session_key, experiment, variant, fallback_code.
inline constexpr size_t kMaxInsightsTextBytes = 128;
// Impression.positions: 1 to this (the most items an answer has).
inline constexpr int kMaxImpressionPosition = 8;
inline constexpr absl::Duration kMaxInsightsRange = absl::Hours(24 * 92);
inline constexpr int kDefaultConversionWindowHours = 24;
inline constexpr int kMaxConversionWindowHours = 720;

// The answers as stored (recommendation_id in canonical lower case), or
// INVALID_ARGUMENT naming the first bad one's field, e.g.
// "served[3].recommendation_id: not a UUID". The recommender is the only
// writer: one bad answer refuses the call, so a bug there is loud.
absl::StatusOr<std::vector<smartshop::v1::ServedRecommendation>> ValidateServed(
    const smartshop::v1::RecordServedRequest& request, absl::Time now);

// The first rule `impression` breaks (field names as in insights.proto), or
// nullopt when it is valid at time `now`.
std::optional<FieldViolation> FindImpressionViolation(
    const smartshop::v1::Impression& impression, absl::Time now);

// REQUIRES: FindImpressionViolation(impression, now) is nullopt.
// As stored: event_id generated when empty, ids in canonical lower case,
// timestamp = now (to the microsecond) when unset.
smartshop::v1::Impression NormalizeImpression(
    smartshop::v1::Impression impression, absl::Time now);

// The query a GetInsightsRequest asks, or INVALID_ARGUMENT naming the field.
absl::StatusOr<InsightsQuery> ToInsightsQuery(
    const smartshop::v1::GetInsightsRequest& request);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INSIGHTS_VALIDATION_H_
