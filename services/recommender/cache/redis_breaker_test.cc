#include "services/recommender/cache/redis_breaker.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kMinWait = absl::Milliseconds(20);
constexpr absl::Duration kBackoff = absl::Seconds(5);

class RedisBreakerTest : public ::testing::Test {
 protected:
  // Admits a call and reports how it ended; the test fails if the call is
  // refused.
  RedisBreaker::Change Call(RedisCallEnd end,
                            absl::Duration waited = absl::Milliseconds(100)) {
    EXPECT_TRUE(breaker_.Admit().ok()) << "refused";
    return breaker_.Report(end, waited);
  }
  void Open() {
    for (int i = 0; i < 3; ++i) Call(RedisCallEnd::kTimedOut);
    ASSERT_TRUE(breaker_.open());
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'000'000)};
  RedisBreaker breaker_{
      {.timeouts = 3, .min_wait = kMinWait, .backoff = kBackoff}, clock_};
};

TEST_F(RedisBreakerTest, OpensAfterTheThresholdOfTimeoutsInARow) {
  EXPECT_EQ(Call(RedisCallEnd::kTimedOut).kind, RedisBreaker::Change::kNone);
  EXPECT_EQ(Call(RedisCallEnd::kTimedOut).kind, RedisBreaker::Change::kNone);
  EXPECT_FALSE(breaker_.open());
  const RedisBreaker::Change change = Call(RedisCallEnd::kTimedOut);
  EXPECT_EQ(change.kind, RedisBreaker::Change::kOpened);
  EXPECT_EQ(change.timeouts, 3);
  EXPECT_TRUE(breaker_.open());
}

TEST_F(RedisBreakerTest, CallerCutOffsCountOnceTheyWaitedTheMinimum) {
  // What a caller bounding every call by the command timeout produces
  // against a hung server: each cut short, each after ~100 ms.
  Call(RedisCallEnd::kCutShort, absl::Milliseconds(99));
  Call(RedisCallEnd::kCutShort, kMinWait);
  EXPECT_FALSE(breaker_.open());
  EXPECT_EQ(Call(RedisCallEnd::kCutShort, absl::Milliseconds(60)).kind,
            RedisBreaker::Change::kOpened);
}

TEST_F(RedisBreakerTest, ShortCutOffsNeitherCountNorReset) {
  for (int i = 0; i < 20; ++i) {
    Call(RedisCallEnd::kCutShort, kMinWait - absl::Milliseconds(1));
  }
  EXPECT_FALSE(breaker_.open());
  Call(RedisCallEnd::kTimedOut);
  Call(RedisCallEnd::kCutShort, absl::Milliseconds(5));
  Call(RedisCallEnd::kNoVerdict);
  Call(RedisCallEnd::kTimedOut);
  EXPECT_FALSE(breaker_.open());
  Call(RedisCallEnd::kCutShort, absl::Milliseconds(2));
  Call(RedisCallEnd::kTimedOut);
  EXPECT_TRUE(breaker_.open());
}

TEST_F(RedisBreakerTest, AReplyResetsTheCount) {
  Call(RedisCallEnd::kTimedOut);
  Call(RedisCallEnd::kTimedOut);
  Call(RedisCallEnd::kReplied);
  Call(RedisCallEnd::kTimedOut);
  Call(RedisCallEnd::kTimedOut);
  EXPECT_FALSE(breaker_.open());
}

TEST_F(RedisBreakerTest, OpenBreakerRefusesWithUnavailableAndCounts) {
  Open();
  for (int i = 0; i < 50; ++i) {
    absl::Status status = breaker_.Admit();
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(status.message(),
                HasSubstr("redis: paused after repeated timeouts"));
  }
  EXPECT_THAT(breaker_.Admit().message(), HasSubstr("next probe in 5s"));
  clock_.AdvanceBy(kBackoff - absl::Milliseconds(1));
  EXPECT_THAT(breaker_.Admit().message(), HasSubstr("next probe in 1ms"));
  EXPECT_EQ(breaker_.short_circuited(), 52);
}

TEST_F(RedisBreakerTest, LetsOneProbeThroughAfterTheBackoffAndItsReplyCloses) {
  Open();
  breaker_.Admit().IgnoreError();
  clock_.AdvanceBy(kBackoff);
  ASSERT_TRUE(breaker_.Admit().ok());  // the probe
  absl::Status other = breaker_.Admit();
  EXPECT_EQ(other.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(other.message(), HasSubstr("a probe is out"));
  const RedisBreaker::Change change =
      breaker_.Report(RedisCallEnd::kReplied, absl::ZeroDuration());
  EXPECT_EQ(change.kind, RedisBreaker::Change::kClosed);
  EXPECT_EQ(change.paused_for, kBackoff);
  EXPECT_EQ(change.refused, 2);
  EXPECT_FALSE(breaker_.open());
  EXPECT_TRUE(breaker_.Admit().ok());
}

TEST_F(RedisBreakerTest, AProbeThatTimesOutPausesForAnotherBackoff) {
  Open();
  clock_.AdvanceBy(kBackoff);
  ASSERT_TRUE(breaker_.Admit().ok());
  EXPECT_EQ(
      breaker_.Report(RedisCallEnd::kCutShort, absl::Milliseconds(99)).kind,
      RedisBreaker::Change::kNone);  // still open: logged once only
  EXPECT_TRUE(breaker_.open());
  clock_.AdvanceBy(kBackoff - absl::Milliseconds(1));
  EXPECT_FALSE(breaker_.Admit().ok());
  clock_.AdvanceBy(absl::Milliseconds(1));
  EXPECT_TRUE(breaker_.Admit().ok());
}

TEST_F(RedisBreakerTest, AProbeWithoutVerdictGivesItsSlotToTheNextCaller) {
  Open();
  clock_.AdvanceBy(kBackoff);
  ASSERT_TRUE(breaker_.Admit().ok());
  breaker_.Report(RedisCallEnd::kCutShort, absl::Milliseconds(1));
  EXPECT_TRUE(breaker_.open());
  ASSERT_TRUE(breaker_.Admit().ok());  // at once, not after another backoff
  breaker_.Report(RedisCallEnd::kNoVerdict, absl::ZeroDuration());
  ASSERT_TRUE(breaker_.Admit().ok());
  EXPECT_EQ(breaker_.Report(RedisCallEnd::kReplied, absl::ZeroDuration()).kind,
            RedisBreaker::Change::kClosed);
}

TEST_F(RedisBreakerTest, TransitionsAreReportedOnceEach) {
  // Calls admitted before the breaker opened end after it did.
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(breaker_.Admit().ok());
  int opened = 0;
  for (int i = 0; i < 5; ++i) {
    opened +=
        breaker_.Report(RedisCallEnd::kTimedOut, absl::ZeroDuration()).kind ==
        RedisBreaker::Change::kOpened;
  }
  EXPECT_EQ(opened, 1);
  // A late reply proves the server answers again.
  EXPECT_EQ(breaker_.Report(RedisCallEnd::kReplied, absl::ZeroDuration()).kind,
            RedisBreaker::Change::kClosed);
  EXPECT_FALSE(breaker_.open());
}

}  // namespace
}  // namespace smartshop::recommender
