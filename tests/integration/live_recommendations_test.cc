// The builtin ranker kept live by the event feed, end to end on real
// Postgres and Redis: an order invalidates the user's cached answer within a
// second, a session's views change that session's answer, and the feed
// resumes after the tracking service restarts without missing an event.
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/recommender_harness.h"
#include "tests/testing/eventually.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/recommendation_views.h"

namespace smartshop::testing {
namespace {

using ::testing::Contains;
using ::testing::Not;

class LiveRecommendationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.SeedCatalog();
    ASSERT_TRUE(h_.feed()->WaitUntilCaughtUp(absl::Now() + absl::Seconds(10)));
  }
  // Waits until the model has learnt `count` events in all.
  void AwaitLearnt(int64_t count) {
    ASSERT_TRUE(
        Eventually([&] { return h_.model()->events_observed() >= count; },
                   absl::Seconds(10)))
        << "model learnt " << h_.model()->events_observed() << " of " << count;
    EXPECT_EQ(h_.model()->events_observed(), count);
  }

  static RecommenderHarnessOptions Options() {
    RecommenderHarnessOptions options;
    options.use_model = false;
    options.builtin = true;
    return options;
  }

  RecommenderHarness h_{Options()};
};

TEST_F(LiveRecommendationsTest, AnOrderInvalidatesTheUsersAnswerWithinASecond) {
  for (const char* user : {"a", "b", "c"}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 1));
    h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, user, "", 3));
  }
  h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", 1));
  AwaitLearnt(7);
  smartshop::v1::Recommendations first = h_.Get("u1");
  EXPECT_EQ(first.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  ASSERT_GT(first.items_size(), 0);
  EXPECT_EQ(first.items(0).product().id(), 3);
  EXPECT_TRUE(h_.Get("u1").cache_hit());
  const std::string key = absl::StrCat(h_.key_prefix(), "u1");
  ASSERT_GT(RedisPttl(h_.redis_url(), key), 0);

  const absl::Time ordered = absl::Now();
  h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, "u1", "", 3));
  ASSERT_TRUE(Eventually([&] { return RedisPttl(h_.redis_url(), key) == -2; },
                         absl::Seconds(1)));
  EXPECT_LT(absl::Now() - ordered, absl::Seconds(1));
  smartshop::v1::Recommendations after = h_.Get("u1");
  EXPECT_FALSE(after.cache_hit());
  EXPECT_THAT(ProductIds(after), Not(Contains(3)));  // just bought
}

TEST_F(LiveRecommendationsTest, ASessionsViewsChangeThatSessionsAnswer) {
  // 2 goes with 4 for three shoppers; 5 goes with 8 for four.
  for (const char* user : {"a", "b", "c"}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 2));
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 4));
  }
  for (const char* user : {"d", "e", "f", "g"}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 5));
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 8));
  }
  h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "", "visitor-1", 2));
  AwaitLearnt(15);
  smartshop::v1::GetRecommendationsRequest request;
  request.set_session_key("visitor-1");
  smartshop::v1::Recommendations first = h_.Get(request);
  ASSERT_GT(first.items_size(), 0);
  EXPECT_EQ(first.items(0).product().id(), 4);
  EXPECT_EQ(first.items(0).reason(), "Often viewed with Product 2");
  EXPECT_TRUE(h_.Get(request).cache_hit());

  h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "", "visitor-1", 5));
  smartshop::v1::Recommendations changed;
  ASSERT_TRUE(Eventually(
      [&] {
        changed = h_.Get(request);
        return !changed.cache_hit();
      },
      absl::Seconds(1)));
  ASSERT_GT(changed.items_size(), 0);
  EXPECT_EQ(changed.items(0).product().id(), 8);
  EXPECT_EQ(changed.items(0).reason(), "Often viewed with Product 5");

  // Another visitor without a session still gets the shared answer.
  smartshop::v1::Recommendations anonymous =
      h_.Get(smartshop::v1::GetRecommendationsRequest());
  EXPECT_EQ(anonymous.strategy(), smartshop::v1::STRATEGY_BUILTIN);
}

TEST_F(LiveRecommendationsTest, ResumesAfterTrackingRestartsWithoutMissingAny) {
  for (int64_t product : {1, 2, 3}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", product));
  }
  AwaitLearnt(3);
  h_.StopTracking();
  // Written meanwhile through another replica (straight into the log).
  for (int64_t product : {4, 5}) {
    pqxx::connection connection(h_.database_url());
    pqxx::work txn(connection);
    txn.exec(
        absl::StrCat("INSERT INTO interactions (event_id, user_id, "
                     "interaction_type, occurred_at, product_id) "
                     "VALUES (gen_random_uuid(), 'u2', 'view_product', "
                     "now(), ",
                     product, ")"));
    txn.commit();
  }
  absl::SleepFor(absl::Milliseconds(300));  // the feed retries meanwhile
  h_.RestartTracking();
  for (int64_t product : {6, 7}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u3", "", product));
  }
  AwaitLearnt(7);
  const int64_t last = std::stoll(
      QueryScalar(h_.database_url(), "SELECT max(id) FROM interactions"));
  EXPECT_TRUE(Eventually([&] { return h_.feed()->last_sequence() == last; },
                         absl::Seconds(2)));
  EXPECT_GE(h_.feed()->reconnects(), 1);
}

}  // namespace
}  // namespace smartshop::testing
