#include "common/clock.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop {
namespace {

TEST(ClockTest, RealClockIsTheSystemClock) {
  const absl::Time before = absl::Now();
  const absl::Time now = Clock::Real().Now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, absl::Now());
}

TEST(SimulatedClockTest, StandsStillUntilSetOrMoved) {
  const absl::Time start = absl::FromUnixSeconds(1'700'000'000);
  SimulatedClock clock(start);
  EXPECT_EQ(clock.Now(), start);
  clock.AdvanceBy(absl::Minutes(5));
  EXPECT_EQ(clock.Now(), start + absl::Minutes(5));
  clock.SetTime(start - absl::Hours(1));
  EXPECT_EQ(clock.Now(), start - absl::Hours(1));
}

}  // namespace
}  // namespace smartshop
