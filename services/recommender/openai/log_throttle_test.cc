#include "services/recommender/openai/log_throttle.h"

#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

TEST(LogThrottleTest, LogsFirstThenOncePerIntervalWithSuppressedCount) {
  LogThrottle throttle(absl::Seconds(10));
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  int64_t suppressed = -1;
  EXPECT_TRUE(throttle.Admit("UNAVAILABLE", t0, &suppressed));
  EXPECT_EQ(suppressed, 0);
  EXPECT_FALSE(
      throttle.Admit("UNAVAILABLE", t0 + absl::Seconds(1), &suppressed));
  EXPECT_FALSE(
      throttle.Admit("UNAVAILABLE", t0 + absl::Seconds(9), &suppressed));
  EXPECT_TRUE(
      throttle.Admit("UNAVAILABLE", t0 + absl::Seconds(10), &suppressed));
  EXPECT_EQ(suppressed, 2);
  EXPECT_FALSE(
      throttle.Admit("UNAVAILABLE", t0 + absl::Seconds(11), &suppressed));
}

TEST(LogThrottleTest, KeysAreIndependent) {
  LogThrottle throttle(absl::Seconds(10));
  const absl::Time t0 = absl::FromUnixSeconds(1000);
  int64_t suppressed = -1;
  EXPECT_TRUE(throttle.Admit("UNAVAILABLE", t0, &suppressed));
  EXPECT_TRUE(throttle.Admit("DATA_LOSS", t0, &suppressed));
  EXPECT_EQ(suppressed, 0);
}

}  // namespace
}  // namespace smartshop::recommender
