// A shop's week of recommendations in numbers, for the dashboard's browser
// test and for looking at the page by hand: two placements, three
// strategies, seven days, eight positions, and one experiment with three
// variants.
#ifndef SMARTSHOP_TESTS_DASHBOARD_DASHBOARD_FIXTURE_H_
#define SMARTSHOP_TESTS_DASHBOARD_DASHBOARD_FIXTURE_H_

#include "services/recommender/dashboard/dashboard_page.h"

namespace smartshop::testing {

// The data, for the range `range`, served answers ending at `until`.
recommender::DashboardData FixtureDashboardData(absl::string_view range,
                                                absl::Time until);

// Answers every Load with FixtureDashboardData (or with `empty` data).
class FixtureDashboardSource : public recommender::DashboardSource {
 public:
  explicit FixtureDashboardSource(bool empty = false) : empty_(empty) {}
  absl::StatusOr<recommender::DashboardData> Load(absl::string_view range,
                                                  absl::Time deadline) override;

 private:
  bool empty_;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_DASHBOARD_DASHBOARD_FIXTURE_H_
