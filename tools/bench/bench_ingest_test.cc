// The benchmarks' shared pieces that a wrong figure would come from: the
// metrics page reader and the synthetic shop's shape.
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tools/bench/admin_metrics.h"
#include "tools/bench/synthetic_events.h"

namespace smartshop::bench {
namespace {

constexpr char kPage[] =
    R"(# HELP smartshop_recommender_cache_requests_total Cache lookups.
# TYPE smartshop_recommender_cache_requests_total counter
smartshop_recommender_cache_requests_total{result="hit"} 12
smartshop_recommender_cache_requests_total{result="miss"} 30
smartshop_recommender_cache_requests_total{result="error"} 1
smartshop_recommender_model_calls_total{outcome="ok"} 4
smartshop_recommender_model_calls_total{outcome="timeout"} 2.5
smartshop_recommender_model_latency_seconds_count 6
smartshop_recommender_builtin_model_events 680159
)";

TEST(SumSamplesTest, SumsOneFamilyFilteredByLabel) {
  constexpr char kCache[] = "smartshop_recommender_cache_requests_total";
  EXPECT_EQ(SumSamples(kPage, kCache, "result=\"hit\""), 12);
  EXPECT_EQ(SumSamples(kPage, kCache, "result=\"miss\""), 30);
  EXPECT_EQ(SumSamples(kPage, kCache), 43);
  EXPECT_EQ(SumSamples(kPage, "smartshop_recommender_model_calls_total"), 6.5);
}

TEST(SumSamplesTest, IgnoresLongerNamesAndCommentsAndMissingFamilies) {
  EXPECT_EQ(SumSamples(kPage, "smartshop_recommender_model_latency_seconds"),
            0);
  EXPECT_EQ(SumSamples(kPage, "smartshop_recommender_builtin_model_events"),
            680159);
  EXPECT_EQ(SumSamples(kPage, "no_such_metric"), 0);
}

TEST(SyntheticEventsTest, SameSeedSameEventsAcrossSlices) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EventShape shape;
  shape.activity_skew = 0.7;
  SyntheticEvents whole(shape, 7, now);
  SyntheticEvents sliced(shape, 7, now);
  auto all = whole.Next(200);
  auto first = sliced.Next(120);
  auto rest = sliced.Next(80);
  ASSERT_TRUE(all.ok() && first.ok() && rest.ok());
  first->insert(first->end(), rest->begin(), rest->end());
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ((*all)[i].SerializeAsString(), (*first)[i].SerializeAsString())
        << "event " << i;
  }
}

TEST(SyntheticEventsTest, SkewedShopKeepsItsShape) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EventShape shape;
  shape.users = 1000;
  shape.products = 10'000;
  shape.categories = 100;
  shape.history = absl::Hours(24 * 180);
  shape.activity_skew = 0.7;
  shape.anonymous_sessions = 2000;
  auto events = SyntheticEvents(shape, 1, now).Next(20'000);
  ASSERT_TRUE(events.ok()) << events.status();
  int most_active = 0;   // events of users 1..10
  int least_active = 0;  // of users 901..1000
  int user_1 = 0;
  absl::Time oldest = now;
  std::set<std::string> sessions_of_user_1;
  for (const auto& e : *events) {
    EXPECT_LE(e.product_id(), shape.products);
    EXPECT_LE(e.category_id(), shape.categories);
    oldest = std::min(oldest, absl::FromUnixSeconds(e.timestamp().seconds()));
    absl::string_view user = e.user_id();
    int id = 0;
    if (!absl::ConsumePrefix(&user, "user-")) continue;
    ASSERT_TRUE(absl::SimpleAtoi(user, &id));
    ASSERT_GE(id, 1);
    ASSERT_LE(id, shape.users);
    if (id <= 10) ++most_active;
    if (id == 1) {
      ++user_1;
      sessions_of_user_1.insert(e.session_key());
    }
    if (id > 900) ++least_active;
  }
  // Long-tailed: the ten most active users outweigh the hundred least.
  EXPECT_GT(most_active, 3 * least_active);
  // Months of history, and one session per active day, not per event.
  EXPECT_LT(oldest, now - absl::Hours(24 * 150));
  EXPECT_LT(sessions_of_user_1.size(), static_cast<size_t>(user_1));
  EXPECT_LE(sessions_of_user_1.size(), 181u);
}

}  // namespace
}  // namespace smartshop::bench
