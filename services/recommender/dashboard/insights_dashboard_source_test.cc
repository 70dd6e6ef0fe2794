#include "services/recommender/dashboard/insights_dashboard_source.h"

#include <memory>
#include <vector>

#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 2026-12-02T00:00:00Z; "home-test" runs from 2026-12-01 to 2027-01-01,
// "old-test" stopped before.
constexpr int64_t kNow = 1796169600;
constexpr char kConfig[] = R"pb(
  experiments {
    name: "home-test"
    placements: PLACEMENT_HOME
    variants { name: "control" weight: 1 ranker: VARIANT_RANKER_TOP_SELLERS }
    variants { name: "builtin" weight: 1 ranker: VARIANT_RANKER_BUILTIN }
    start { seconds: 1796083200 }
    stop { seconds: 1798761600 }
  }
  experiments {
    name: "old-test"
    placements: PLACEMENT_PRODUCT
    variants { name: "control" weight: 1 ranker: VARIANT_RANKER_TOP_SELLERS }
    variants { name: "builtin" weight: 1 ranker: VARIANT_RANKER_BUILTIN }
    start { seconds: 1780000000 }
    stop { seconds: 1790000000 }
  }
)pb";

class GroupingInsights : public InsightsClient {
 public:
  absl::StatusOr<v1::GetInsightsResponse> GetInsights(
      const v1::GetInsightsRequest& request, absl::Time deadline) override {
    requests.push_back(request);
    deadlines.push_back(deadline);
    if (requests.size() == fail_at) return absl::UnavailableError("down");
    v1::GetInsightsResponse response;
    // The grouping's name as the only key, to see which answer went where.
    response.add_rows()->set_key(v1::InsightsGrouping_Name(request.group_by()));
    return response;
  }
  std::vector<v1::GetInsightsRequest> requests;
  std::vector<absl::Time> deadlines;
  size_t fail_at = 0;  // 1-based call that fails; 0 = none
};

std::shared_ptr<const experiments::ExperimentSet> Experiments() {
  auto config = experiments::ParseExperimentsConfig(kConfig);
  EXPECT_TRUE(config.ok()) << config.status();
  auto set = experiments::ExperimentSet::Create(*config);
  EXPECT_TRUE(set.ok()) << set.status();
  return std::make_shared<experiments::ExperimentSet>(*std::move(set));
}

TEST(InsightsDashboardSourceTest, AsksOncePerGroupingOverTheRange) {
  GroupingInsights insights;
  SimulatedClock clock(absl::FromUnixSeconds(kNow));
  InsightsDashboardSource source(
      &insights, Experiments(), [] { return int64_t{1200}; }, clock);
  const absl::Time deadline = absl::FromUnixSeconds(kNow + 5);
  absl::StatusOr<DashboardData> data = source.Load("7d", deadline);
  ASSERT_TRUE(data.ok()) << data.status();

  EXPECT_EQ(data->range, "7d");
  EXPECT_EQ(data->until, absl::FromUnixSeconds(kNow));
  EXPECT_EQ(data->since, absl::FromUnixSeconds(kNow) - absl::Hours(168));
  EXPECT_EQ(data->catalog_active_products, 1200);
  EXPECT_EQ(data->by_placement.rows(0).key(), "INSIGHTS_GROUPING_PLACEMENT");
  EXPECT_EQ(data->by_strategy.rows(0).key(), "INSIGHTS_GROUPING_STRATEGY");
  EXPECT_EQ(data->by_day.rows(0).key(), "INSIGHTS_GROUPING_DAY");
  EXPECT_EQ(data->by_position.rows(0).key(), "INSIGHTS_GROUPING_POSITION");
  // Four groupings over the range, all placements; then the running
  // experiment's report by variant (the stopped one is not shown).
  ASSERT_EQ(insights.requests.size(), 5u);
  for (int i = 0; i < 4; ++i) {
    const v1::GetInsightsRequest& request = insights.requests[i];
    EXPECT_EQ(ToTime(request.since()), data->since);
    EXPECT_EQ(ToTime(request.until()), data->until);
    EXPECT_TRUE(request.all_placements());
  }
  EXPECT_EQ(insights.requests[4].group_by(), v1::INSIGHTS_GROUPING_VARIANT);
  EXPECT_EQ(insights.requests[4].experiment(), "home-test");
  for (absl::Time d : insights.deadlines) EXPECT_EQ(d, deadline);
  ASSERT_EQ(data->experiments.size(), 1u);
  EXPECT_EQ(data->experiments[0].experiment().name(), "home-test");
  EXPECT_EQ(data->experiments[0].state(), "running");
}

TEST(InsightsDashboardSourceTest, KeepsEachRangeForItsPeriod) {
  GroupingInsights insights;
  SimulatedClock clock(absl::FromUnixSeconds(kNow));
  InsightsDashboardSource source(
      &insights, Experiments(), [] { return int64_t{0}; }, clock);
  const absl::Time deadline = absl::FromUnixSeconds(kNow + 5);
  ASSERT_TRUE(source.Load("24h", deadline).ok());
  EXPECT_EQ(insights.requests.size(), 5u);
  // Another viewer within the minute: no call to tracking.
  clock.AdvanceBy(absl::Seconds(59));
  ASSERT_TRUE(source.Load("24h", deadline).ok());
  EXPECT_EQ(insights.requests.size(), 5u);
  // Another range is its own.
  ASSERT_TRUE(source.Load("30d", deadline).ok());
  EXPECT_EQ(insights.requests.size(), 10u);
  // Past the minute the day is read again; the month is still kept.
  clock.AdvanceBy(absl::Seconds(2));
  ASSERT_TRUE(source.Load("24h", deadline).ok());
  ASSERT_TRUE(source.Load("30d", deadline).ok());
  EXPECT_EQ(insights.requests.size(), 15u);
  EXPECT_EQ(InsightsDashboardSource::FreshFor("30d"), absl::Minutes(15));
}

TEST(InsightsDashboardSourceTest, PassesTrackingsErrorOn) {
  for (size_t fail_at : {1u, 4u, 5u}) {
    GroupingInsights insights;
    insights.fail_at = fail_at;
    SimulatedClock clock(absl::FromUnixSeconds(kNow));
    InsightsDashboardSource source(
        &insights, Experiments(), [] { return int64_t{0}; }, clock);
    EXPECT_THAT(source.Load("24h", absl::FromUnixSeconds(kNow + 5)).status(),
                StatusIs(absl::StatusCode::kUnavailable))
        << fail_at;
    EXPECT_EQ(insights.requests.size(), fail_at);
  }
}

TEST(InsightsDashboardSourceTest, WorksWithoutExperimentsOrCatalog) {
  GroupingInsights insights;
  SimulatedClock clock(absl::FromUnixSeconds(kNow));
  InsightsDashboardSource source(&insights, nullptr, nullptr, clock);
  absl::StatusOr<DashboardData> data =
      source.Load("30d", absl::FromUnixSeconds(kNow + 5));
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->since, absl::FromUnixSeconds(kNow) - absl::Hours(720));
  EXPECT_TRUE(data->experiments.empty());
  EXPECT_EQ(data->catalog_active_products, 0);
  EXPECT_EQ(insights.requests.size(), 4u);
}

TEST(InsightsDashboardSourceTest, RefusesAnUnknownRange) {
  GroupingInsights insights;
  InsightsDashboardSource source(&insights, nullptr, nullptr);
  EXPECT_THAT(source.Load("1y", absl::Now()).status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("range")));
  EXPECT_TRUE(insights.requests.empty());
}

}  // namespace
}  // namespace smartshop::recommender
