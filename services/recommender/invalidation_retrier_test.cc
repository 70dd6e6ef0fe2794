#include "services/recommender/invalidation_retrier.h"

#include "gtest/gtest.h"
#include "tests/testing/fake_recommender_deps.h"

namespace smartshop::recommender {
namespace {

smartshop::v1::Recommendations Entry() {
  smartshop::v1::Recommendations r;
  r.add_items()->mutable_product()->set_id(1);
  return r;
}

TEST(InvalidationRetrierTest, FailedDeletesAreRetriedUntilTheCacheAnswers) {
  testing::FakeRecommendationCache cache;
  const absl::Time soon = absl::Now() + absl::Seconds(1);
  ASSERT_TRUE(cache.Set("u:1", Entry(), absl::Hours(1), soon).ok());
  ASSERT_TRUE(cache.Set("u:2", Entry(), absl::Hours(1), soon).ok());
  int retried = 0, failed = 0;
  InvalidationRetrier retrier(&cache, {}, [&](const char* result) {
    (std::string(result) == "retried" ? retried : failed)++;
  });
  retrier.Add("u:1");
  retrier.Add("u:2");
  retrier.Add("u:1");  // once is enough
  cache.FailWith(absl::UnavailableError("redis down"));
  retrier.RetryNow();
  EXPECT_EQ(retrier.pending(), 2u);
  EXPECT_EQ(failed, 1);  // stops at the first failure
  cache.FailWith(absl::OkStatus());
  retrier.RetryNow();
  EXPECT_EQ(retrier.pending(), 0u);
  EXPECT_EQ(retried, 2);
  EXPECT_FALSE(cache.contains("u:1"));
  EXPECT_FALSE(cache.contains("u:2"));
}

TEST(InvalidationRetrierTest, OverflowDropsEveryEntryOfEachScopeOnceBack) {
  testing::FakeRecommendationCache cache;
  const absl::Time soon = absl::Now() + absl::Seconds(1);
  ASSERT_TRUE(cache.Set("user_7", Entry(), absl::Hours(1), soon).ok());
  ASSERT_TRUE(cache.Set("session_x", Entry(), absl::Hours(1), soon).ok());
  ASSERT_TRUE(cache.Set("other", Entry(), absl::Hours(1), soon).ok());
  InvalidationRetrier retrier(&cache,
                              {.max_keys = 2, .scopes = {"user_", "session_"}});
  retrier.Add("user_1");
  retrier.Add("user_2");
  retrier.Add("user_3");
  EXPECT_TRUE(retrier.overflowed());
  EXPECT_EQ(retrier.pending(), 0u);
  cache.FailWith(absl::UnavailableError("redis down"));
  retrier.RetryNow();
  EXPECT_TRUE(retrier.overflowed());
  cache.FailWith(absl::OkStatus());
  retrier.RetryNow();
  EXPECT_FALSE(retrier.overflowed());
  EXPECT_FALSE(cache.contains("user_7"));
  EXPECT_FALSE(cache.contains("session_x"));
  EXPECT_TRUE(cache.contains("other"));
}

TEST(InvalidationRetrierTest, ItsThreadRetriesByItself) {
  testing::FakeRecommendationCache cache;
  ASSERT_TRUE(
      cache.Set("k", Entry(), absl::Hours(1), absl::Now() + absl::Seconds(1))
          .ok());
  InvalidationRetrier retrier(&cache, {.interval = absl::Milliseconds(10)});
  retrier.Add("k");
  retrier.Start();
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (cache.contains("k") && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_FALSE(cache.contains("k"));
}

}  // namespace
}  // namespace smartshop::recommender
