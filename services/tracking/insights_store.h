// Where the insights ingest lives: the recommender's served answers and the
// shop's impressions of them (InsightsService), idempotent on retry.
#ifndef SMARTSHOP_SERVICES_TRACKING_INSIGHTS_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_INSIGHTS_STORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/insights.pb.h"

namespace smartshop::tracking {

// What became of one impression.
struct ImpressionOutcome {
  // False: an impression with this event_id was already stored.
  bool stored = false;
  // Whether the served log held its recommendation_id when it was stored
  // (false for duplicates: they were not looked up).
  bool known_recommendation = false;
};

// What an erasure removed.
struct InsightsErasure {
  int64_t served_recommendations = 0;
  int64_t impressions = 0;
};

class InsightsStore {
 public:
  virtual ~InsightsStore() = default;

  // REQUIRES: every answer passed ValidateServed (insights_validation.h),
  // with recommendation_id in canonical lower case.
  // Commits all of `served` in one transaction; an answer already stored
  // (same recommendation_id and served_at) is left as it is. How many were
  // new.
  virtual absl::StatusOr<int64_t> RecordServed(
      absl::Span<const smartshop::v1::ServedRecommendation> served,
      absl::Time deadline) = 0;

  // REQUIRES: every impression passed FindImpressionViolation and
  // NormalizeImpression (event_id and recommendation_id canonical, timestamp
  // set), and no two share an event_id.
  // Commits all of `impressions` in one transaction, skipping those whose
  // event_id is already stored. One outcome per impression, in order.
  virtual absl::StatusOr<std::vector<ImpressionOutcome>> InsertImpressions(
      absl::Span<const smartshop::v1::Impression> impressions,
      absl::Time deadline) = 0;

  // Deletes the served answers made for `user_id` and the user's
  // impressions, in one transaction.
  virtual absl::StatusOr<InsightsErasure> DeleteUser(const std::string& user_id,
                                                     absl::Time deadline) = 0;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INSIGHTS_STORE_H_
