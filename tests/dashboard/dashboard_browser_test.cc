// The dashboard in a real browser: an admin server with the dashboard's
// routes over fixture data, and Debian's chromium loading the page from it.
// The page must fetch its data, draw every chart with the expected points,
// and log nothing to the console. The screenshot stays under the build
// directory as the test's artefact.
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/admin_http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/dashboard/dashboard_page.h"
#include "tests/dashboard/dashboard_fixture.h"
#include "tests/dashboard/headless_chromium.h"

namespace smartshop::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken[] = "test-token";

// Counts the loads, so a test can tell whether the page asked for data.
class CountingSource : public recommender::DashboardSource {
 public:
  explicit CountingSource(bool empty) : fixture_(empty) {}
  absl::StatusOr<recommender::DashboardData> Load(
      absl::string_view range, absl::Time deadline) override {
    ++loads;
    last_range = std::string(range);
    return fixture_.Load(range, deadline);
  }
  std::atomic<int> loads{0};
  std::string last_range;  // read after the browser exited

 private:
  FixtureDashboardSource fixture_;
};

// The <svg> element whose data-chart is `name`, as serialized; empty when
// the DOM has none.
std::string ChartSvg(const std::string& dom, const std::string& name) {
  const size_t attribute = dom.find(absl::StrCat("data-chart=\"", name, "\""));
  if (attribute == std::string::npos) return "";
  const size_t open = dom.rfind("<svg", attribute);
  const size_t close = dom.find("</svg>", attribute);
  if (open == std::string::npos || close == std::string::npos) return "";
  return dom.substr(open, close - open);
}

// The DOM without the page's own script, whose text would match.
std::string Rendered(const std::string& dom) {
  const size_t open = dom.find("<script");
  const size_t close = dom.find("</script>");
  if (open == std::string::npos || close == std::string::npos) return dom;
  return dom.substr(0, open) + dom.substr(close + 9);
}

int Count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

int SeriesPoints(const std::string& svg, const std::string& series) {
  return Count(svg, absl::StrCat("data-series=\"", series, "\""));
}

// chart name -> series -> points, for the fixture: 2 placements, 3
// strategies, 3 variants, 8 positions, 7 days, 3 fallback codes.
const std::map<std::string, std::map<std::string, int>>& ExpectedCharts() {
  static const auto* charts =
      new std::map<std::string, std::map<std::string, int>>{
          {"placement_rates", {{"ctr", 2}, {"conversion", 2}}},
          {"strategy_rates", {{"ctr", 3}, {"conversion", 3}}},
          {"variant_rates", {{"ctr", 3}, {"conversion", 3}}},
          {"position_ctr", {{"ctr", 8}}},
          {"experiment:home-ranker", {{"shopper_conversion", 3}}},
          {"daily_ctr", {{"ctr", 7}}},
          {"daily_model_calls", {{"model_calls", 7}}},
          {"daily_model_cost", {{"cost_usd", 7}}},
          {"daily_latency", {{"p50_ms", 7}, {"p99_ms", 7}}},
          {"daily_cache_hit_rate", {{"cache_hit_rate", 7}}},
          {"fallbacks", {{"fallbacks", 3}}},
          {"placement_coverage", {{"coverage", 2}, {"diversity", 2}}},
      };
  return *charts;
}

class DashboardBrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = FindChromium();
    if (!chromium_.empty()) return;
    // CI installs it (tools/setup.sh): there a missing browser is a failure.
    if (std::getenv("CI") != nullptr) {
      FAIL() << "chromium is not installed, and CI must run this test";
    }
    GTEST_SKIP() << "chromium is not installed: `apt-get install chromium` "
                    "(tools/setup.sh does) to run the dashboard's browser test";
  }

  void Serve(bool empty) {
    source_ = std::make_unique<CountingSource>(empty);
    auto server = AdminHttpServer::Start(
        {.listen_address = "127.0.0.1:0",
         .routes = recommender::DashboardRoutes(
             source_.get(), [](absl::string_view authorization) {
               return authorization == absl::StrCat("Bearer ", kToken);
             })});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }

  std::string Url(const std::string& path_and_fragment) const {
    return absl::StrCat("http://127.0.0.1:", server_->port(),
                        path_and_fragment);
  }

  ChromiumResult Open(const std::string& url,
                      const std::string& screenshot = "") {
    ChromiumResult run = RunHeadlessChromium({.binary = chromium_,
                                              .url = url,
                                              .screenshot_path = screenshot,
                                              .window_size = "1280,4400",
                                              .timeout = absl::Seconds(30)});
    std::cout << "chromium took " << absl::FormatDuration(run.elapsed)
              << " for " << url << "\n";
    EXPECT_FALSE(run.timed_out) << "chromium was killed after 30 s";
    EXPECT_EQ(run.exit_code, 0) << run.log;
    run.dom = Rendered(run.dom);
    EXPECT_THAT(run.dom, Not(HasSubstr("data-error=\""))) << run.dom;
    return run;
  }

  std::string chromium_;
  std::unique_ptr<CountingSource> source_;
  std::unique_ptr<AdminHttpServer> server_;
};

TEST_F(DashboardBrowserTest, DrawsEveryChartFromTheServedData) {
  ASSERT_NO_FATAL_FAILURE(Serve(/*empty=*/false));
  const std::string artefacts = ARTEFACT_DIR;
  std::filesystem::create_directories(artefacts);
  const std::string screenshot = artefacts + "/dashboard.png";
  std::filesystem::remove(screenshot);

  const ChromiumResult run =
      Open(Url(absl::StrCat("/dashboard?range=7d#token=", kToken)), screenshot);
  const std::string dom_path = artefacts + "/dashboard_dom.html";
  std::ofstream(dom_path) << run.dom;
  SCOPED_TRACE(absl::StrCat("the page's DOM is in ", dom_path));

  // It asked for the range in its address, with the token, and drew it.
  EXPECT_EQ(source_->loads.load(), 1);
  EXPECT_EQ(source_->last_range, "7d");
  EXPECT_TRUE(absl::StrContains(run.dom, "data-loaded=\"7d\""))
      << "data-loaded=\"7d\"";
  // Numbers of the fixture, as the page computes them: 5200 + 8300 answers;
  // home CTR 1092 / 31200; the model variant's shopper conversion 151 /
  // 1380; home coverage 412 / 1200 products; the biggest fallback count.
  EXPECT_TRUE(absl::StrContains(run.dom, ">13500<")) << ">13500<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">3.50 %<")) << ">3.50 %<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">5.00 %<")) << ">5.00 %<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">10.94 %<")) << ">10.94 %<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">34.33 %<")) << ">34.33 %<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">51<")) << ">51<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">better<")) << ">better<";
  EXPECT_TRUE(absl::StrContains(run.dom, ">no difference<"))
      << ">no difference<";
  EXPECT_FALSE(absl::StrContains(run.dom, "no data yet")) << "no data yet";
  // The token left the address bar and is in no markup.
  EXPECT_FALSE(absl::StrContains(run.dom, kToken)) << kToken;

  for (const auto& [chart, series] : ExpectedCharts()) {
    const std::string svg = ChartSvg(run.dom, chart);
    ASSERT_FALSE(svg.empty()) << "no chart " << chart;
    int expected_total = 0;
    for (const auto& [name, points] : series) {
      EXPECT_EQ(SeriesPoints(svg, name), points) << chart << " " << name;
      expected_total += points;
    }
    EXPECT_EQ(Count(svg, "data-series="), expected_total) << chart;
  }
  // And no chart the test does not know about.
  EXPECT_EQ(Count(run.dom, "data-chart="),
            static_cast<int>(ExpectedCharts().size()));

  EXPECT_THAT(ConsoleLines(run.log), ::testing::IsEmpty()) << run.log;
  ASSERT_TRUE(std::filesystem::exists(screenshot)) << run.log;
  EXPECT_GT(std::filesystem::file_size(screenshot), 10000u);
  std::cout << "dashboard screenshot: " << screenshot << "\n";
}

TEST_F(DashboardBrowserTest, SaysNoDataYetWhenNothingWasServed) {
  ASSERT_NO_FATAL_FAILURE(Serve(/*empty=*/true));
  const ChromiumResult run =
      Open(Url(absl::StrCat("/dashboard/#token=", kToken)));
  EXPECT_EQ(source_->last_range, "24h");  // the default range
  EXPECT_TRUE(absl::StrContains(run.dom, "data-loaded=\"24h\""))
      << "data-loaded=\"24h\"";
  // Every chart but the experiments' (none runs) is there, empty.
  const int charts = static_cast<int>(ExpectedCharts().size()) - 1;
  EXPECT_EQ(Count(run.dom, "data-chart="), charts);
  EXPECT_EQ(Count(run.dom, "data-empty=\"true\""), charts);
  EXPECT_EQ(Count(run.dom, "data-series="), 0);
  EXPECT_GE(Count(run.dom, "no data yet"), charts);
  EXPECT_TRUE(absl::StrContains(run.dom, "No experiment is running."))
      << "No experiment is running.";
  EXPECT_THAT(ConsoleLines(run.log), ::testing::IsEmpty()) << run.log;
}

TEST_F(DashboardBrowserTest, AsksForATokenAndShowsNothingWithoutOne) {
  ASSERT_NO_FATAL_FAILURE(Serve(/*empty=*/false));
  // No token: the form, and no request for data at all.
  const ChromiumResult none = Open(Url("/dashboard"));
  EXPECT_EQ(source_->loads.load(), 0);
  EXPECT_TRUE(absl::StrContains(none.dom, "<form id=\"token-form\">"))
      << "<form id=\"token-form\">";
  EXPECT_FALSE(absl::StrContains(none.dom, "data-chart=")) << "data-chart=";
  EXPECT_THAT(ConsoleLines(none.log), ::testing::IsEmpty()) << none.log;

  // A wrong token: refused (401), the form again, no data drawn.
  const ChromiumResult wrong = Open(Url("/dashboard#token=wrong"));
  EXPECT_EQ(source_->loads.load(), 0);
  EXPECT_TRUE(absl::StrContains(wrong.dom, "<form id=\"token-form\">"))
      << "<form id=\"token-form\">";
  EXPECT_TRUE(absl::StrContains(wrong.dom, "That token was not accepted."))
      << "That token was not accepted.";
  EXPECT_FALSE(absl::StrContains(wrong.dom, "data-chart=")) << "data-chart=";
  // The browser itself reports the refused fetch; nothing else may appear.
  for (const std::string& line : ConsoleLines(wrong.log)) {
    EXPECT_THAT(line, HasSubstr("status of 401")) << wrong.log;
  }
}

}  // namespace
}  // namespace smartshop::testing
