#include "services/recommender/experiment_report.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetInsightsRequest;
using smartshop::v1::GetInsightsResponse;
using smartshop::v1::InsightsRow;

constexpr char kReportConfig[] = R"pb(
  experiments {
    name: "home-test"
    placements: PLACEMENT_HOME
    variants { name: "control" weight: 1 ranker: VARIANT_RANKER_TOP_SELLERS }
    variants { name: "builtin" weight: 1 ranker: VARIANT_RANKER_BUILTIN }
    holdout: 0.1
    start { seconds: 1796083200 }
    stop { seconds: 1798761600 }
    shoppers_per_variant: 1000
  }
)pb";

InsightsRow ReportRow(std::string key, int64_t shoppers, int64_t converted) {
  InsightsRow row;
  row.set_key(std::move(key));
  row.set_shoppers(shoppers);
  row.set_shoppers_converted(converted);
  return row;
}

class FakeInsights : public InsightsClient {
 public:
  absl::StatusOr<GetInsightsResponse> GetInsights(
      const GetInsightsRequest& request, absl::Time) override {
    requests.push_back(request);
    return reply;
  }
  std::vector<GetInsightsRequest> requests;
  absl::StatusOr<GetInsightsResponse> reply = GetInsightsResponse();
};

experiments::ExperimentSet ReportSet() {
  auto config = experiments::ParseExperimentsConfig(kReportConfig);
  EXPECT_TRUE(config.ok()) << config.status();
  auto set = experiments::ExperimentSet::Create(*config);
  EXPECT_TRUE(set.ok()) << set.status();
  return *set;
}

// Hand-computed: control 100 of 1000 shoppers converted, builtin 130 of
// 1000. Pooled p = 0.115, se = sqrt(0.115 × 0.885 × 2 / 1000) = 0.014267,
// z = 0.03 / 0.014267 = 2.1027, two-sided p = 0.0355: better at the
// horizon. Unpooled se = sqrt(0.09 / 1000 + 0.1131 / 1000) = 0.014251, so
// the lift's interval is 0.03 ± 1.96 × 0.014251 = [0.00207, 0.05793].
// CTR 50 clicks of 1000 impressions: Wilson [0.0381, 0.0653].
TEST(BuildExperimentReportTest, MatchesAHandComputedFixture) {
  const experiments::ExperimentSet set = ReportSet();
  GetInsightsResponse rows;
  InsightsRow control = ReportRow("control", 1000, 100);
  InsightsRow builtin = ReportRow("builtin", 1000, 130);
  builtin.set_impressed_items(1000);
  builtin.set_clicks(50);
  builtin.set_add_to_carts(20);
  builtin.set_orders(10);
  builtin.set_revenue_cents(25'000);
  builtin.set_model_calls(3);
  builtin.set_latency_p99_ms(4.5);
  *rows.add_rows() = builtin;
  *rows.add_rows() = control;
  *rows.add_rows() = ReportRow("holdout", 200, 15);

  const smartshop::v1::ExperimentReport report =
      BuildExperimentReport(set.config().experiments(0), rows);
  ASSERT_EQ(report.variants_size(), 3);
  const auto& c = report.variants(0);
  const auto& b = report.variants(1);
  const auto& h = report.variants(2);
  EXPECT_EQ(c.variant(), "control");
  EXPECT_EQ(c.verdict(), smartshop::v1::VERDICT_CONTROL);
  EXPECT_EQ(b.variant(), "builtin");
  EXPECT_EQ(b.verdict(), smartshop::v1::VERDICT_BETTER);
  EXPECT_NEAR(b.shopper_conversion().value(), 0.13, 1e-9);
  EXPECT_NEAR(b.lift(), 0.03, 1e-9);
  EXPECT_NEAR(b.lift_low(), 0.00207, 1e-4);
  EXPECT_NEAR(b.lift_high(), 0.05793, 1e-4);
  EXPECT_NEAR(b.p_value(), 0.0355, 1e-3);
  EXPECT_NEAR(b.ctr().value(), 0.05, 1e-9);
  EXPECT_NEAR(b.ctr().low(), 0.0381, 1e-3);
  EXPECT_NEAR(b.ctr().high(), 0.0653, 1e-3);
  EXPECT_NEAR(b.add_to_cart_rate().value(), 0.4, 1e-9);  // per click
  EXPECT_NEAR(b.conversion_rate().value(), 0.2, 1e-9);   // per click
  EXPECT_DOUBLE_EQ(b.revenue_per_1000_impressions_cents(), 25'000);
  EXPECT_EQ(b.model_calls(), 3);
  EXPECT_DOUBLE_EQ(b.latency_p99_ms(), 4.5);
  EXPECT_EQ(h.variant(), "holdout");
  EXPECT_NEAR(h.shopper_conversion().value(), 0.075, 1e-9);
  EXPECT_EQ(h.verdict(), smartshop::v1::VERDICT_NOT_YET);
}

TEST(BuildExperimentReportTest, BeforeTheHorizonTheVerdictWaits) {
  const experiments::ExperimentSet set = ReportSet();
  GetInsightsResponse rows;
  *rows.add_rows() = ReportRow("control", 999, 10);
  *rows.add_rows() = ReportRow("builtin", 5000, 2500);  // huge, but early
  const auto report = BuildExperimentReport(set.config().experiments(0), rows);
  EXPECT_EQ(report.variants(1).verdict(), smartshop::v1::VERDICT_NOT_YET);
}

TEST(BuildExperimentReportTest, VariantsWithoutRowsAreZeros) {
  const experiments::ExperimentSet set = ReportSet();
  const auto report = BuildExperimentReport(set.config().experiments(0), {});
  ASSERT_EQ(report.variants_size(), 3);
  EXPECT_EQ(report.variants(1).shoppers(), 0);
  EXPECT_EQ(report.variants(1).verdict(), smartshop::v1::VERDICT_NOT_YET);
}

TEST(ReportExperimentTest, AsksTrackingForTheExperimentsRangeByVariant) {
  const experiments::ExperimentSet set = ReportSet();
  FakeInsights insights;
  smartshop::v1::GetExperimentReportRequest request;
  request.set_name("home-test");
  request.set_conversion_window_hours(48);
  // Two days after the start, while it runs.
  const absl::Time now = absl::FromUnixSeconds(1796083200 + 2 * 86400);
  auto report =
      ReportExperiment(set, insights, request, now, now + absl::Seconds(5));
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(insights.requests.size(), 1u);
  const GetInsightsRequest& asked = insights.requests[0];
  EXPECT_EQ(asked.group_by(), smartshop::v1::INSIGHTS_GROUPING_VARIANT);
  EXPECT_EQ(asked.experiment(), "home-test");
  EXPECT_TRUE(asked.all_placements());
  EXPECT_EQ(asked.conversion_window_hours(), 48);
  EXPECT_EQ(asked.since().seconds(), 1796083200);
  EXPECT_EQ(asked.until().seconds(), absl::ToUnixSeconds(now));
  EXPECT_EQ(report->state(), "running");
  // After the stop, the range ends at the stop.
  const absl::Time later = absl::FromUnixSeconds(1798761600 + 86400);
  ASSERT_TRUE(
      ReportExperiment(set, insights, request, later, later + absl::Seconds(5))
          .ok());
  EXPECT_EQ(insights.requests[1].until().seconds(), 1798761600);
}

TEST(ReportExperimentTest, ErrorsNameTheField) {
  const experiments::ExperimentSet set = ReportSet();
  FakeInsights insights;
  smartshop::v1::GetExperimentReportRequest request;
  const absl::Time now = absl::FromUnixSeconds(1796083200 + 86400);
  EXPECT_THAT(ReportExperiment(set, insights, request, now, now),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                ::testing::HasSubstr("name: required")));
  request.set_name("nope");
  EXPECT_THAT(ReportExperiment(set, insights, request, now, now),
              testing::StatusIs(absl::StatusCode::kNotFound,
                                ::testing::HasSubstr("\"nope\"")));
  request.set_name("home-test");
  request.set_conversion_window_hours(721);
  EXPECT_THAT(
      ReportExperiment(set, insights, request, now, now),
      testing::StatusIs(absl::StatusCode::kInvalidArgument,
                        ::testing::HasSubstr("conversion_window_hours")));
  request.set_conversion_window_hours(0);
  insights.reply = absl::UnavailableError("tracking GetInsights: down");
  EXPECT_THAT(ReportExperiment(set, insights, request, now, now),
              testing::StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace smartshop::recommender
