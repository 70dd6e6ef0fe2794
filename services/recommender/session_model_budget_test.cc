#include "services/recommender/session_model_budget.h"

#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

const absl::Time kBudgetT0 = absl::FromUnixSeconds(1'800'000'000);

TEST(SessionModelBudgetTest, OneCallPerIntervalUpToTheCap) {
  SessionModelBudget budget(
      {.min_interval = absl::Minutes(10), .max_calls = 2});
  EXPECT_TRUE(budget.TryTake("s1", kBudgetT0));
  EXPECT_FALSE(budget.TryTake("s1", kBudgetT0 + absl::Minutes(1)));
  EXPECT_FALSE(budget.TryTake("s1", kBudgetT0 + absl::Minutes(9)));
  EXPECT_TRUE(budget.TryTake("s1", kBudgetT0 + absl::Minutes(10)));
  // The cap: no third call however long the session lasts.
  EXPECT_FALSE(budget.TryTake("s1", kBudgetT0 + absl::Hours(3)));
  // Another session has its own budget.
  EXPECT_TRUE(budget.TryTake("s2", kBudgetT0 + absl::Minutes(1)));
}

TEST(SessionModelBudgetTest, BoundedMemoryRefusesNewSessionsWhenFull) {
  SessionModelBudget budget({.max_sessions = 2});
  EXPECT_TRUE(budget.TryTake("a", kBudgetT0));
  EXPECT_TRUE(budget.TryTake("b", kBudgetT0));
  EXPECT_FALSE(budget.TryTake("c", kBudgetT0 + absl::Minutes(1)));
  EXPECT_EQ(budget.sessions(), 2u);
  // A day later the old ones are forgotten to make room.
  EXPECT_TRUE(budget.TryTake("c", kBudgetT0 + absl::Hours(25)));
  EXPECT_EQ(budget.sessions(), 1u);
}

}  // namespace
}  // namespace smartshop::recommender
