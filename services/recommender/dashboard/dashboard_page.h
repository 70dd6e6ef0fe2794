// The shop manager's dashboard on the recommender's admin port: a page that
// draws its own charts (dashboard.html, compiled in) and the JSON it reads.
// What was served and what came of it, by placement, strategy, day,
// position and experiment variant; counts and rates only, never a shopper.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_DASHBOARD_PAGE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_DASHBOARD_PAGE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/admin_http_server.h"
#include "smartshop/v1/experiments.pb.h"
#include "smartshop/v1/insights.pb.h"

namespace smartshop::recommender {

// A range the dashboard shows: "24h", "7d" or "30d", ending now.
struct DashboardRange {
  std::string name;
  absl::Duration length;
};

// INVALID_ARGUMENT naming `range` for anything but the three names.
absl::StatusOr<DashboardRange> ParseDashboardRange(absl::string_view name);

// What the page shows for one range.
struct DashboardData {
  std::string range;  // "24h", "7d" or "30d"
  // The served answers' range: [since, until).
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfinitePast();
  // GetInsights over [since, until), one grouping each (all placements).
  v1::GetInsightsResponse by_placement;
  v1::GetInsightsResponse by_strategy;
  v1::GetInsightsResponse by_day;
  v1::GetInsightsResponse by_position;
  // The report of each running experiment.
  std::vector<v1::ExperimentReport> experiments;
  // Active products in the catalog, the denominator of coverage.
  int64_t catalog_active_products = 0;
};

// Where the data comes from (the tracking service's InsightsService and the
// experiment reports). Called from the admin server's route thread, one
// call at a time.
class DashboardSource {
 public:
  virtual ~DashboardSource() = default;
  // `range` is one ParseDashboardRange accepted. Errors are logged, never
  // shown: the page gets a 503.
  virtual absl::StatusOr<DashboardData> Load(absl::string_view range,
                                             absl::Time deadline) = 0;
};

// The JSON of /dashboard/data (field names in docs of DashboardRoutes).
std::string DashboardJson(const DashboardData& data);

// GET /dashboard and /dashboard/ (the page, no data in it, so no
// authorization) and GET /dashboard/data?range=24h|7d|30d (default 24h):
//   200 application/json:
//     {"range": "7d", "since": RFC 3339, "until": RFC 3339,
//      "catalog_active_products": n,
//      "insights": {"placement": GetInsightsResponse, "strategy": ...,
//                   "day": ..., "position": ...},
//      "experiments": [ExperimentReport, ...]}
//   with the messages in protobuf's JSON mapping (proto field names, every
//   field printed, int64 as strings);
//   400 naming the bad parameter; 401 when `allowed(Authorization header)`
//   is false (always when `allowed` is null: fails closed); 503 when the
//   source fails or misses `load_timeout`.
// `source` must outlive the routes.
std::vector<AdminRoute> DashboardRoutes(
    DashboardSource* source,
    std::function<bool(absl::string_view authorization)> allowed,
    absl::Duration load_timeout = absl::Seconds(5));

// The page itself (dashboard.html).
const std::string& DashboardHtml();

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_DASHBOARD_PAGE_H_
