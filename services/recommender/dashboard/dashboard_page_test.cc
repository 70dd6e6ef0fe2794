#include "services/recommender/dashboard/dashboard_page.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "boost/json.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

namespace json = boost::json;

class FakeDashboardSource : public DashboardSource {
 public:
  absl::StatusOr<DashboardData> Load(absl::string_view range,
                                     absl::Time deadline) override {
    ranges.push_back(std::string(range));
    deadlines.push_back(deadline);
    return result;
  }

  absl::StatusOr<DashboardData> result;
  std::vector<std::string> ranges;
  std::vector<absl::Time> deadlines;
};

DashboardData SampleData() {
  DashboardData data;
  data.range = "7d";
  data.since = absl::FromUnixSeconds(1764547200);  // 2025-12-01T00:00:00Z
  data.until = data.since + absl::Hours(24 * 7);
  data.catalog_active_products = 420;
  v1::InsightsRow* home = data.by_placement.add_rows();
  home->set_key("PLACEMENT_HOME");
  home->set_impressed_items(1000);
  home->set_clicks(37);
  home->set_model_cost_usd(1.25);
  data.by_placement.mutable_fallbacks_by_code()->insert({"model_timeout", 4});
  data.by_strategy.add_rows()->set_key("STRATEGY_BUILTIN");
  data.by_day.add_rows()->set_key("2025-12-01");
  data.by_position.add_rows()->set_key("1");
  v1::ExperimentReport& report = data.experiments.emplace_back();
  report.mutable_experiment()->set_name("home-ranker");
  report.set_state("running");
  v1::VariantReport* control = report.add_variants();
  control->set_variant("builtin");
  control->set_verdict(v1::VERDICT_CONTROL);
  control->mutable_shopper_conversion()->set_value(0.042);
  return data;
}

// The /dashboard routes by path.
const AdminRoute& RouteOf(const std::vector<AdminRoute>& routes,
                          absl::string_view path) {
  for (const AdminRoute& route : routes) {
    if (route.path == path) return route;
  }
  ADD_FAILURE() << "no route " << path;
  return routes.front();
}

bool AllowSecret(absl::string_view authorization) {
  return authorization == "Bearer secret";
}

AdminResponse GetData(FakeDashboardSource& source, const std::string& query,
                      const std::string& authorization = "Bearer secret") {
  const std::vector<AdminRoute> routes = DashboardRoutes(&source, AllowSecret);
  return RouteOf(routes, "/dashboard/data")
      .handler({.query = query, .authorization = authorization});
}

TEST(DashboardRangeTest, AcceptsTheThreeRanges) {
  EXPECT_EQ(ParseDashboardRange("24h")->length, absl::Hours(24));
  EXPECT_EQ(ParseDashboardRange("7d")->length, absl::Hours(168));
  EXPECT_EQ(ParseDashboardRange("30d")->length, absl::Hours(720));
  EXPECT_THAT(ParseDashboardRange("1y").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("range")));
}

TEST(DashboardJsonTest, WrapsTheProtosInTheEnvelope) {
  const json::value parsed = json::parse(DashboardJson(SampleData()));
  const json::object& root = parsed.as_object();
  EXPECT_EQ(root.at("range").as_string(), "7d");
  EXPECT_EQ(root.at("since").as_string(), "2025-12-01T00:00:00Z");
  EXPECT_EQ(root.at("until").as_string(), "2025-12-08T00:00:00Z");
  EXPECT_EQ(root.at("catalog_active_products").as_int64(), 420);

  const json::object& placement =
      root.at("insights").at("placement").as_object();
  const json::object& home = placement.at("rows").at(0).as_object();
  // Proto field names, int64 as strings, zeros printed too.
  EXPECT_EQ(home.at("key").as_string(), "PLACEMENT_HOME");
  EXPECT_EQ(home.at("clicks").as_string(), "37");
  EXPECT_EQ(home.at("impressed_items").as_string(), "1000");
  EXPECT_EQ(home.at("orders").as_string(), "0");
  EXPECT_DOUBLE_EQ(home.at("model_cost_usd").to_number<double>(), 1.25);
  EXPECT_EQ(placement.at("fallbacks_by_code").at("model_timeout").as_string(),
            "4");
  for (const char* grouping : {"strategy", "day", "position"}) {
    EXPECT_EQ(root.at("insights").at(grouping).at("rows").as_array().size(), 1u)
        << grouping;
  }

  const json::object& experiment = root.at("experiments").at(0).as_object();
  EXPECT_EQ(experiment.at("experiment").at("name").as_string(), "home-ranker");
  EXPECT_EQ(experiment.at("state").as_string(), "running");
  const json::object& control = experiment.at("variants").at(0).as_object();
  EXPECT_EQ(control.at("verdict").as_string(), "VERDICT_CONTROL");
  EXPECT_DOUBLE_EQ(
      control.at("shopper_conversion").at("value").to_number<double>(), 0.042);
}

TEST(DashboardJsonTest, EmptyDataIsStillWellFormed) {
  DashboardData empty;
  empty.range = "24h";
  const json::value parsed = json::parse(DashboardJson(empty));
  EXPECT_TRUE(parsed.at("since").is_null());
  EXPECT_TRUE(parsed.at("insights").at("day").at("rows").as_array().empty());
  EXPECT_TRUE(parsed.at("experiments").as_array().empty());
}

TEST(DashboardRoutesTest, ServesThePageWithoutAuthorization) {
  FakeDashboardSource source;
  const std::vector<AdminRoute> routes = DashboardRoutes(&source, AllowSecret);
  for (const char* path : {"/dashboard", "/dashboard/"}) {
    const AdminResponse page = RouteOf(routes, path).handler({});
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_THAT(page.body, HasSubstr("data-chart"));
    // Self-contained: nothing loaded from elsewhere.
    EXPECT_THAT(page.body, Not(HasSubstr("http://cdn")));
    EXPECT_THAT(page.body, Not(HasSubstr("src=\"http")));
    EXPECT_THAT(page.body, Not(HasSubstr("href=\"http")));
    EXPECT_THAT(page.headers, ::testing::Contains(::testing::Pair(
                                  "Content-Security-Policy",
                                  HasSubstr("default-src 'none'"))));
  }
  EXPECT_TRUE(source.ranges.empty());
}

TEST(DashboardRoutesTest, AnswersDataAsJson) {
  FakeDashboardSource source;
  source.result = SampleData();
  const absl::Time before = absl::Now();
  const AdminResponse reply = GetData(source, "range=7d");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, DashboardJson(SampleData()));
  EXPECT_THAT(reply.headers, ::testing::Contains(
                                 ::testing::Pair("Cache-Control", "no-store")));
  ASSERT_EQ(source.ranges.size(), 1u);
  EXPECT_EQ(source.ranges[0], "7d");
  EXPECT_GE(source.deadlines[0], before + absl::Seconds(5));
  EXPECT_LE(source.deadlines[0], absl::Now() + absl::Seconds(5));
}

TEST(DashboardRoutesTest, DefaultsTo24HoursAndFillsTheRange) {
  FakeDashboardSource source;
  source.result = DashboardData{};
  const AdminResponse reply = GetData(source, "");
  EXPECT_EQ(reply.status, 200);
  ASSERT_EQ(source.ranges.size(), 1u);
  EXPECT_EQ(source.ranges[0], "24h");
  EXPECT_EQ(json::parse(reply.body).at("range").as_string(), "24h");
}

TEST(DashboardRoutesTest, RefusesABadRangeNamingIt) {
  FakeDashboardSource source;
  source.result = SampleData();
  for (const char* query : {"range=1y", "range=", "range=7d&range=30d",
                            "since=2020-01-01", "range=7D"}) {
    const AdminResponse reply = GetData(source, query);
    EXPECT_EQ(reply.status, 400) << query;
    EXPECT_THAT(reply.body, HasSubstr("range")) << query;
  }
  EXPECT_TRUE(source.ranges.empty());
}

TEST(DashboardRoutesTest, RefusesWithoutTheRightToken) {
  FakeDashboardSource source;
  source.result = SampleData();
  for (const char* authorization : {"", "Bearer wrong", "secret"}) {
    const AdminResponse reply = GetData(source, "range=7d", authorization);
    EXPECT_EQ(reply.status, 401) << authorization;
    EXPECT_THAT(reply.body, Not(HasSubstr("PLACEMENT_HOME")));
    EXPECT_THAT(reply.headers, ::testing::Contains(::testing::Pair(
                                   "WWW-Authenticate", HasSubstr("Bearer"))));
  }
  // A bad range from an outsider is refused for the token, not the range.
  EXPECT_EQ(GetData(source, "range=1y", "").status, 401);
  EXPECT_TRUE(source.ranges.empty());
}

TEST(DashboardRoutesTest, HidesTheSourcesErrorBehind503) {
  FakeDashboardSource source;
  source.result = absl::UnavailableError(
      "connection to server at \"10.0.0.7\", port 5432 failed");
  const AdminResponse reply = GetData(source, "range=30d");
  EXPECT_EQ(reply.status, 503);
  EXPECT_THAT(reply.body, HasSubstr("unavailable"));
  EXPECT_THAT(reply.body, Not(HasSubstr("10.0.0.7")));
  EXPECT_THAT(reply.body, Not(HasSubstr("5432")));
}

}  // namespace
}  // namespace smartshop::recommender
