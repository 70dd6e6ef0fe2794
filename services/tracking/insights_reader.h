// Reads what the recommendations did (InsightsService.GetInsights): served
// answers, impressions, and the clicks and conversions attributed to them
// by the rules of docs/attribution.md.
#ifndef SMARTSHOP_SERVICES_TRACKING_INSIGHTS_READER_H_
#define SMARTSHOP_SERVICES_TRACKING_INSIGHTS_READER_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "smartshop/v1/insights.pb.h"
#include "smartshop/v1/placement.pb.h"

namespace smartshop::tracking {

// A validated GetInsightsRequest.
struct InsightsQuery {
  // Served answers in [since, until).
  absl::Time since;
  absl::Time until;
  smartshop::v1::InsightsGrouping group_by =
      smartshop::v1::INSIGHTS_GROUPING_STRATEGY;
  // Empty = any (required for INSIGHTS_GROUPING_VARIANT).
  std::string experiment;
  // nullopt = every placement.
  std::optional<smartshop::v1::Placement> placement;
  // A conversion counts when it follows its click within this.
  absl::Duration conversion_window = absl::Hours(24);
};

class InsightsReader {
 public:
  virtual ~InsightsReader() = default;
  // Rows sorted by key. Storage errors as storage_error.h makes them (no
  // database text).
  virtual absl::StatusOr<smartshop::v1::GetInsightsResponse> Read(
      const InsightsQuery& query, absl::Time deadline) = 0;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_INSIGHTS_READER_H_
