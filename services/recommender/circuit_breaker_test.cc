#include "services/recommender/circuit_breaker.h"

#include "gtest/gtest.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

class CircuitBreakerTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{absl::FromUnixSeconds(1'000'000)};
  CircuitBreaker breaker_{
      {.failure_threshold = 3, .cool_down = absl::Seconds(10)}, clock_};
};

TEST_F(CircuitBreakerTest, OpensAfterTheThresholdOfFailuresInARow) {
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker_.Allow());
    breaker_.Record(false);
  }
  ASSERT_TRUE(breaker_.Allow());
  breaker_.Record(true);  // a success resets the count
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(breaker_.Allow());
    breaker_.Record(false);
  }
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(breaker_.Allow());
  clock_.AdvanceBy(absl::Seconds(9));
  EXPECT_FALSE(breaker_.Allow());
}

TEST_F(CircuitBreakerTest, LetsOneProbeThroughAfterTheCoolDown) {
  for (int i = 0; i < 3; ++i) {
    breaker_.Allow();
    breaker_.Record(false);
  }
  clock_.AdvanceBy(absl::Seconds(10));
  EXPECT_TRUE(breaker_.Allow());   // the probe
  EXPECT_FALSE(breaker_.Allow());  // only one at a time
  breaker_.Record(false);          // failed: open again, a new cool-down
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kOpen);
  EXPECT_EQ(breaker_.open_until(), clock_.Now() + absl::Seconds(10));
  clock_.AdvanceBy(absl::Seconds(10));
  EXPECT_TRUE(breaker_.Allow());
  breaker_.Record(true);  // recovered
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kClosed);
  EXPECT_TRUE(breaker_.Allow());
  EXPECT_TRUE(breaker_.Allow());
}

TEST_F(CircuitBreakerTest, AnAbandonedProbeLetsTheNextCallerProbe) {
  for (int i = 0; i < 3; ++i) {
    breaker_.Allow();
    breaker_.Record(false);
  }
  clock_.AdvanceBy(absl::Seconds(10));
  ASSERT_TRUE(breaker_.Allow());
  breaker_.Abandon();  // e.g. the caller's deadline was too short to tell
  EXPECT_TRUE(breaker_.Allow());
  breaker_.Abandon();
  // Abandoning while closed changes nothing.
  ASSERT_TRUE(breaker_.Allow());
  breaker_.Record(true);
  breaker_.Abandon();
  EXPECT_EQ(breaker_.state(), CircuitBreaker::State::kClosed);
}

}  // namespace
}  // namespace smartshop::recommender
