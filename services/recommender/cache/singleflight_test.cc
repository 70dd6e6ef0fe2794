#include "services/recommender/cache/singleflight.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

// Polls `done` for up to 5 s; tests that would otherwise hang fail instead.
template <typename F>
bool Eventually(F done) {
  const absl::Time give_up = absl::Now() + absl::Seconds(5);
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(1));
  }
  return true;
}

TEST(SingleflightTest, ConcurrentCallersForOneKeyShareOneComputation) {
  Singleflight<std::string> flight;
  constexpr int kCallers = 50;
  std::atomic<int> runs{0};
  absl::Notification release;
  std::vector<absl::StatusOr<std::string>> results(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      results[i] = flight.Do("anonymous", [&]() -> absl::StatusOr<std::string> {
        ++runs;
        release.WaitForNotification();
        return std::string("eight products");
      });
    });
  }
  // Every caller has joined before the leader may finish, so none of them
  // can start a second computation.
  EXPECT_TRUE(
      Eventually([&] { return flight.Callers("anonymous") == kCallers; }));
  release.Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  for (const absl::StatusOr<std::string>& r : results) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(*r, "eight products");
  }
  EXPECT_EQ(flight.Callers("anonymous"), 0);
}

TEST(SingleflightTest, SharesErrorsToo) {
  Singleflight<int> flight;
  absl::Notification release;
  std::atomic<int> runs{0};
  auto fail = [&]() -> absl::StatusOr<int> {
    ++runs;
    release.WaitForNotification();
    return absl::UnavailableError("model down");
  };
  absl::StatusOr<int> first, second;
  std::thread a([&] { first = flight.Do("k", fail); });
  ASSERT_TRUE(Eventually([&] { return flight.Callers("k") == 1; }));
  std::thread b([&] { second = flight.Do("k", fail); });
  ASSERT_TRUE(Eventually([&] { return flight.Callers("k") == 2; }));
  release.Notify();
  a.join();
  b.join();
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST(SingleflightTest, DifferentKeysRunInParallel) {
  Singleflight<int> flight;
  // Each computation waits for the other to start: run one after the
  // other, they would both time out.
  std::atomic<int> started{0};
  auto compute = [&](int value) {
    return [&, value]() -> absl::StatusOr<int> {
      ++started;
      if (!Eventually([&] { return started.load() == 2; })) {
        return absl::DeadlineExceededError("ran alone");
      }
      return value;
    };
  };
  absl::StatusOr<int> a, b;
  std::thread ta([&] { a = flight.Do("user:a", compute(1)); });
  std::thread tb([&] { b = flight.Do("user:b", compute(2)); });
  ta.join();
  tb.join();
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, 1);
  EXPECT_EQ(*b, 2);
}

TEST(SingleflightTest, ForgetsTheKeyOnceDone) {
  Singleflight<int> flight;
  int runs = 0;
  auto compute = [&]() -> absl::StatusOr<int> { return ++runs; };
  EXPECT_EQ(*flight.Do("k", compute), 1);
  EXPECT_EQ(*flight.Do("k", compute), 2);
  EXPECT_EQ(flight.Callers("k"), 0);
}

TEST(SingleflightTest, WaiterGivesUpAtItsDeadlineWhileLeaderFinishes) {
  Singleflight<std::string> flight;
  absl::Notification release;
  std::atomic<int> runs{0};
  auto slow = [&]() -> absl::StatusOr<std::string> {
    ++runs;
    release.WaitForNotification();
    return std::string("done");
  };
  absl::StatusOr<std::string> leader;
  std::thread t([&] { leader = flight.Do("k", slow); });
  ASSERT_TRUE(Eventually([&] { return flight.Callers("k") == 1; }));

  const absl::Time start = absl::Now();
  absl::StatusOr<std::string> waiter =
      flight.Do("k", start + absl::Milliseconds(50), slow);
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(waiter.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_GE(waited, absl::Milliseconds(45));
  EXPECT_LT(waited, absl::Seconds(2));

  release.Notify();
  t.join();
  ASSERT_TRUE(leader.ok()) << leader.status();
  EXPECT_EQ(*leader, "done");
  EXPECT_EQ(runs.load(), 1);
}

TEST(SingleflightTest, LeaderRunsToTheEndWhateverItsDeadline) {
  // A leader that is the only caller is never cut short by its deadline.
  Singleflight<int> flight;
  absl::StatusOr<int> r = flight.Do("k", absl::InfinitePast(),
                                    []() -> absl::StatusOr<int> { return 7; });
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 7);
}

}  // namespace
}  // namespace smartshop::recommender
