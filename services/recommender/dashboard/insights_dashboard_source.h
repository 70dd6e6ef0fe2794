// The dashboard's data from the tracking service: GetInsights over the
// range once per grouping, and the report of each running experiment
// (over the experiment's own life, as ExperimentService gives it).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_INSIGHTS_DASHBOARD_SOURCE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_INSIGHTS_DASHBOARD_SOURCE_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "services/recommender/dashboard/dashboard_page.h"
#include "services/recommender/experiments/experiment_config.h"
#include "services/recommender/insights_client.h"

namespace smartshop::recommender {

class InsightsDashboardSource : public DashboardSource {
 public:
  // `insights` and `clock` must outlive this; `active_products` gives the
  // current catalog's active product count (0 before one is loaded).
  InsightsDashboardSource(
      InsightsClient* insights,
      std::shared_ptr<const experiments::ExperimentSet> experiments,
      std::function<int64_t()> active_products,
      const Clock& clock = Clock::Real());

  // Tracking's error as it comes when any call fails (the page says 503;
  // the route logs it). INVALID_ARGUMENT for a range not of
  // ParseDashboardRange. A range's data is kept for FreshFor(range) (1 min
  // for 24h, 5 min for 7d, 15 min for 30d): however many managers look,
  // each range costs tracking one computation per period.
  absl::StatusOr<DashboardData> Load(absl::string_view range,
                                     absl::Time deadline) override;

  static absl::Duration FreshFor(absl::string_view range);

 private:
  struct Kept {
    DashboardData data;
    absl::Time computed_at;
  };
  absl::StatusOr<DashboardData> Compute(const DashboardRange& range,
                                        absl::Time deadline);

  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Kept> kept_ ABSL_GUARDED_BY(mu_);
  InsightsClient* const insights_;
  const std::shared_ptr<const experiments::ExperimentSet> experiments_;
  const std::function<int64_t()> active_products_;
  const Clock& clock_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_INSIGHTS_DASHBOARD_SOURCE_H_
