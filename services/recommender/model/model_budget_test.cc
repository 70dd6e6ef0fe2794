// ModelBudget against private redis-servers, with a simulated clock for the
// day and the minute.
#include "services/recommender/model/model_budget.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "tests/testing/private_redis.h"
#include "tests/testing/raw_redis_client.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::PrivateRedis;
using ::smartshop::testing::RawRedisClient;
using Reservation = ModelBudget::Reservation;

// 2026-12-02 10:00:30 UTC.
const absl::Time kBudgetNow = absl::FromCivil(
    absl::CivilSecond(2026, 12, 2, 10, 0, 30), absl::UTCTimeZone());

absl::Time Later() { return absl::Now() + absl::Seconds(5); }

bool Reserved(const std::variant<Reservation, BudgetCap>& result) {
  return std::holds_alternative<Reservation>(result);
}

std::optional<BudgetCap> CapOf(
    const std::variant<Reservation, BudgetCap>& result) {
  if (const BudgetCap* cap = std::get_if<BudgetCap>(&result)) return *cap;
  return std::nullopt;
}

class ModelBudgetTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.Start()); }

  std::unique_ptr<RedisPool> MakePool() {
    RedisCacheOptions options;
    options.url = server_.url();
    // Generous: a loaded test machine must not push decisions local.
    options.command_timeout = absl::Seconds(2);
    options.connect_timeout = absl::Seconds(2);
    options.reconnect_backoff = absl::Milliseconds(100);
    absl::StatusOr<RedisAddress> address = ParseRedisUrl(options.url);
    EXPECT_TRUE(address.ok()) << address.status();
    return std::make_unique<RedisPool>(*address, options);
  }

  std::unique_ptr<ModelBudget> MakeBudget(
      ModelBudgetOptions options, RedisPool* pool,
      RecommenderMetrics* metrics = nullptr) {
    options.redis_timeout = absl::Seconds(2);
    EXPECT_TRUE(ValidateModelBudgetOptions(options).ok());
    return std::make_unique<ModelBudget>(options, pool, clock_, metrics);
  }

  // Takes a hold and settles it at `cost`; false when refused.
  static bool Spend(ModelBudget& budget, double cost) {
    auto reserved = budget.TryReserve(Later());
    if (!Reserved(reserved)) return false;
    budget.Settle(std::get<Reservation>(std::move(reserved)), cost, Later());
    return true;
  }

  std::string Get(const std::string& key) {
    RawRedisClient raw(server_.url());
    RedisReply reply = raw.Command({"GET", key});
    if (reply == nullptr || reply->type != REDIS_REPLY_STRING) return "";
    return std::string(reply->str, reply->len);
  }

  PrivateRedis server_;
  SimulatedClock clock_{kBudgetNow};
};

TEST(ModelBudgetOptionsTest, EachBadFieldIsNamed) {
  ModelBudgetOptions options;
  options.daily_spend_cap_usd = -1;
  EXPECT_THAT(ValidateModelBudgetOptions(options).message(),
              ::testing::HasSubstr("daily_spend_cap_usd"));
  options.daily_spend_cap_usd = std::nan("");
  EXPECT_THAT(ValidateModelBudgetOptions(options).message(),
              ::testing::HasSubstr("daily_spend_cap_usd"));
  options = {};
  options.reserve_per_call_usd = std::numeric_limits<double>::infinity();
  EXPECT_THAT(ValidateModelBudgetOptions(options).message(),
              ::testing::HasSubstr("reserve_per_call_usd"));
  options = {};
  options.calls_per_minute_cap = -3;
  EXPECT_THAT(ValidateModelBudgetOptions(options).message(),
              ::testing::HasSubstr("calls_per_minute_cap"));
  EXPECT_TRUE(ValidateModelBudgetOptions({}).ok());
}

TEST(ModelBudgetOptionsTest, TheWorstCaseIsMaxTokensOutPlusThePromptIn) {
  // gpt-4o-mini: 1000 out at $0.60/M, 4000 in at $0.15/M.
  EXPECT_DOUBLE_EQ(WorstCaseCallCostUsd(1000, 4000, 0.15, 0.60), 0.0012);
  EXPECT_EQ(BudgetCapLabel(BudgetCap::kDailySpend), "daily_spend");
  EXPECT_EQ(BudgetCapLabel(BudgetCap::kCallsPerMinute), "calls_per_minute");
}

TEST_F(ModelBudgetTest, RefusesPastTheDailyCapAndCountsInNanoDollars) {
  auto pool = MakePool();
  auto budget = MakeBudget(
      {.daily_spend_cap_usd = 0.01, .reserve_per_call_usd = 0.003}, pool.get());
  EXPECT_TRUE(Spend(*budget, 0.003));
  EXPECT_TRUE(Spend(*budget, 0.003));
  EXPECT_TRUE(Spend(*budget, 0.003));
  // 0.009 spent: another worst case (0.003) would pass 0.01.
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "9000000");
  EXPECT_NEAR(budget->SpendTodayUsd(Later()), 0.009, 1e-12);
}

TEST_F(ModelBudgetTest, ASettledCallCountsWhatItCostNotItsHold) {
  auto pool = MakePool();
  auto budget = MakeBudget(
      {.daily_spend_cap_usd = 0.01, .reserve_per_call_usd = 0.004}, pool.get());
  // Each costs a quarter of its hold: far more calls than 0.01 / 0.004.
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(Spend(*budget, 0.001)) << i;
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "6000000");
  // A failed call costs nothing.
  EXPECT_TRUE(Spend(*budget, 0));
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "6000000");
}

TEST_F(ModelBudgetTest, HoldsInFlightCountAgainstTheCap) {
  auto pool = MakePool();
  auto budget = MakeBudget(
      {.daily_spend_cap_usd = 0.01, .reserve_per_call_usd = 0.004}, pool.get());
  auto first = budget->TryReserve(Later());
  auto second = budget->TryReserve(Later());
  ASSERT_TRUE(Reserved(first));
  ASSERT_TRUE(Reserved(second));
  // Nothing settled yet, but two worst cases are held: 0.008 + 0.004 > 0.01.
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
  // A released hold (the call never made) frees its room.
  { Reservation dropped = std::get<Reservation>(std::move(first)); }
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "4000000");
  EXPECT_TRUE(Reserved(budget->TryReserve(Later())));
}

TEST_F(ModelBudgetTest, ThePerMinuteCapResetsTheNextMinute) {
  auto pool = MakePool();
  auto budget = MakeBudget({.calls_per_minute_cap = 2}, pool.get());
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kCallsPerMinute);
  EXPECT_EQ(Get("smartshop:model_budget:calls:2026-12-02T10:00"), "2");
  clock_.AdvanceBy(absl::Seconds(30));  // 10:01:00
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_EQ(Get("smartshop:model_budget:calls:2026-12-02T10:01"), "1");
  // The minute's key goes by itself.
  RawRedisClient raw(server_.url());
  RedisReply ttl =
      raw.Command({"TTL", "smartshop:model_budget:calls:2026-12-02T10:01"});
  ASSERT_NE(ttl, nullptr);
  EXPECT_GT(ttl->integer, 60);
  EXPECT_LE(ttl->integer, 120);
}

TEST_F(ModelBudgetTest, TheDayResetsAtUtcMidnight) {
  clock_.SetTime(absl::FromCivil(absl::CivilSecond(2026, 12, 2, 23, 59, 50),
                                 absl::UTCTimeZone()));
  auto pool = MakePool();
  auto budget =
      MakeBudget({.daily_spend_cap_usd = 0.002, .reserve_per_call_usd = 0.001},
                 pool.get());
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
  clock_.AdvanceBy(absl::Seconds(10));  // 2026-12-03 00:00:00
  EXPECT_NEAR(budget->SpendTodayUsd(Later()), 0, 1e-12);
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-03"), "1000000");
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "2000000");
  RawRedisClient raw(server_.url());
  RedisReply ttl =
      raw.Command({"TTL", "smartshop:model_budget:spend:2026-12-03"});
  ASSERT_NE(ttl, nullptr);
  EXPECT_GT(ttl->integer, 86400);
  EXPECT_LE(ttl->integer, 2 * 86400);
}

TEST_F(ModelBudgetTest, ACallSettledAfterMidnightCountsOnItsOwnDay) {
  clock_.SetTime(absl::FromCivil(absl::CivilSecond(2026, 12, 2, 23, 59, 59),
                                 absl::UTCTimeZone()));
  auto pool = MakePool();
  auto budget = MakeBudget({.reserve_per_call_usd = 0.004}, pool.get());
  auto reserved = budget->TryReserve(Later());
  ASSERT_TRUE(Reserved(reserved));
  clock_.AdvanceBy(absl::Seconds(2));
  budget->Settle(std::get<Reservation>(std::move(reserved)), 0.001, Later());
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "1000000");
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-03"), "");
}

TEST_F(ModelBudgetTest, TheCapSurvivesARestart) {
  const ModelBudgetOptions options{.daily_spend_cap_usd = 0.005,
                                   .reserve_per_call_usd = 0.002};
  {
    auto pool = MakePool();
    auto budget = MakeBudget(options, pool.get());
    EXPECT_TRUE(Spend(*budget, 0.002));
    EXPECT_TRUE(Spend(*budget, 0.002));
  }
  // A new process: nothing in memory, 0.004 spent in Redis.
  auto pool = MakePool();
  auto budget = MakeBudget(options, pool.get());
  EXPECT_NEAR(budget->SpendTodayUsd(Later()), 0.004, 1e-12);
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
}

TEST_F(ModelBudgetTest, ReplicasShareTheCapWithoutOvershootUnderConcurrency) {
  auto pool_a = MakePool();
  auto pool_b = MakePool();
  // Room for exactly 40 holds of 0.01.
  const ModelBudgetOptions options{.daily_spend_cap_usd = 0.4,
                                   .calls_per_minute_cap = 1000,
                                   .reserve_per_call_usd = 0.01};
  auto a = MakeBudget(options, pool_a.get());
  auto b = MakeBudget(options, pool_b.get());
  absl::Mutex mu;
  std::vector<Reservation> held;
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    ModelBudget* budget = t % 2 == 0 ? a.get() : b.get();
    threads.emplace_back([&, budget] {
      for (int i = 0; i < 10; ++i) {
        auto reserved = budget->TryReserve(Later());
        if (Reserved(reserved)) {
          absl::MutexLock lock(&mu);
          held.push_back(std::get<Reservation>(std::move(reserved)));
        } else {
          EXPECT_EQ(CapOf(reserved), BudgetCap::kDailySpend);
          refused.fetch_add(1);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(held.size(), 40u);
  EXPECT_EQ(refused.load(), 40);
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "400000000");
  EXPECT_EQ(Get("smartshop:model_budget:calls:2026-12-02T10:00"), "40");
  // Settled at what they cost: the spend is theirs, and room opens again.
  for (size_t i = 0; i < held.size(); ++i) {
    (i % 2 == 0 ? a : b)->Settle(std::move(held[i]), 0.005, Later());
  }
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "200000000");
  EXPECT_TRUE(Reserved(a->TryReserve(Later())));
}

TEST_F(ModelBudgetTest, TheMinuteCapIsSharedExactlyUnderConcurrency) {
  auto pool_a = MakePool();
  auto pool_b = MakePool();
  const ModelBudgetOptions options{.calls_per_minute_cap = 25,
                                   .reserve_per_call_usd = 0.001};
  auto a = MakeBudget(options, pool_a.get());
  auto b = MakeBudget(options, pool_b.get());
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    ModelBudget* budget = t % 2 == 0 ? a.get() : b.get();
    threads.emplace_back([&, budget] {
      for (int i = 0; i < 10; ++i) {
        if (Spend(*budget, 0.001)) admitted.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 25);
}

TEST_F(ModelBudgetTest, WithRedisStoppedAReplicaStillStopsAtTheCap) {
  auto pool = MakePool();
  auto budget = MakeBudget(
      {.daily_spend_cap_usd = 0.01, .reserve_per_call_usd = 0.003}, pool.get());
  EXPECT_TRUE(Spend(*budget, 0.003));  // Redis says 0.003
  server_.Stop();
  // Counted here: 0.006, 0.009, then refused.
  EXPECT_TRUE(Spend(*budget, 0.003));
  EXPECT_TRUE(Spend(*budget, 0.003));
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
  EXPECT_NEAR(budget->SpendTodayUsd(Later()), 0.009, 1e-12);
}

TEST_F(ModelBudgetTest, WithRedisStoppedTheMinuteCapHoldsPerReplica) {
  auto pool = MakePool();
  auto budget = MakeBudget({.calls_per_minute_cap = 2}, pool.get());
  server_.Stop();
  EXPECT_TRUE(Spend(*budget, 0));
  EXPECT_TRUE(Spend(*budget, 0));
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kCallsPerMinute);
  clock_.AdvanceBy(absl::Minutes(1));
  EXPECT_TRUE(Spend(*budget, 0));
}

TEST_F(ModelBudgetTest, AReplicaThatNeverHeardFromRedisCapsItsOwnSpend) {
  server_.Stop();
  auto pool = MakePool();
  auto budget =
      MakeBudget({.daily_spend_cap_usd = 0.004, .reserve_per_call_usd = 0.002},
                 pool.get());
  EXPECT_TRUE(Spend(*budget, 0.002));
  EXPECT_TRUE(Spend(*budget, 0.002));
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
}

TEST_F(ModelBudgetTest, SpendMadeWhileRedisWasOutReachesItLater) {
  auto pool = MakePool();
  auto budget = MakeBudget({.reserve_per_call_usd = 0.004}, pool.get());
  server_.Stop();
  EXPECT_TRUE(Spend(*budget, 0.002));
  ASSERT_TRUE(server_.Start());  // empty: no persistence
  // Released holds net to nothing; the first to reach Redis hands over
  // the 0.002 spent meanwhile.
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  while (Get("smartshop:model_budget:spend:2026-12-02").empty() &&
         absl::Now() < give_up) {
    EXPECT_TRUE(Spend(*budget, 0));
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(Get("smartshop:model_budget:spend:2026-12-02"), "2000000");
}

TEST_F(ModelBudgetTest, WithoutRedisAtAllItCountsInProcess) {
  auto budget = MakeBudget(
      {.daily_spend_cap_usd = 0.002, .reserve_per_call_usd = 0.001}, nullptr);
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_TRUE(Spend(*budget, 0.001));
  EXPECT_EQ(CapOf(budget->TryReserve(Later())), BudgetCap::kDailySpend);
}

double Value(prometheus::Registry& registry, const std::string& name,
             const std::string& label_value = "") {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (!label_value.empty() &&
          (metric.label.empty() || metric.label[0].value != label_value)) {
        continue;
      }
      return family.type == prometheus::MetricType::Counter
                 ? metric.counter.value
                 : metric.gauge.value;
    }
  }
  return -1;
}

TEST_F(ModelBudgetTest, MetricsShowTheCapsTheSpendAndTheRefusals) {
  prometheus::Registry registry;
  RecommenderMetrics metrics(registry);
  auto pool = MakePool();
  auto budget = MakeBudget({.daily_spend_cap_usd = 0.003,
                            .calls_per_minute_cap = 7,
                            .reserve_per_call_usd = 0.002},
                           pool.get(), &metrics);
  EXPECT_EQ(Value(registry, "smartshop_recommender_model_daily_budget_usd"),
            0.003);
  EXPECT_EQ(Value(registry, "smartshop_recommender_model_calls_per_minute_cap"),
            7);
  EXPECT_TRUE(Spend(*budget, 0.0015));
  EXPECT_NEAR(Value(registry, "smartshop_recommender_model_spend_today_usd"),
              0.0015, 1e-12);
  EXPECT_FALSE(Reserved(budget->TryReserve(Later())));
  EXPECT_EQ(Value(registry, "smartshop_recommender_model_budget_refusals_total",
                  "daily_spend"),
            1);
}

}  // namespace
}  // namespace smartshop::recommender
