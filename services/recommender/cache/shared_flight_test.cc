#include "services/recommender/cache/shared_flight.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/recommender/cache/bounded_executor.h"

namespace smartshop::recommender {
namespace {

using Group = FlightGroup<std::string>;

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

TEST(BoundedExecutorTest, RunsTasksAndRefusesPastItsBound) {
  BoundedExecutor executor(2);
  absl::Notification release;
  std::atomic<int> ran{0};
  auto blocking = [&] {
    release.WaitForNotification();
    ++ran;
  };
  EXPECT_TRUE(executor.TrySchedule(blocking));
  EXPECT_TRUE(executor.TrySchedule(blocking));
  EXPECT_FALSE(executor.TrySchedule([&] { ++ran; }));
  EXPECT_EQ(executor.in_flight(), 2);
  release.Notify();
  EXPECT_TRUE(Eventually([&] { return executor.in_flight() == 0; }));
  EXPECT_EQ(ran.load(), 2);
  EXPECT_TRUE(executor.TrySchedule([&] { ++ran; }));
  EXPECT_TRUE(Eventually([&] { return ran.load() == 3; }));
}

TEST(BoundedExecutorTest, DestructorWaitsForAcceptedTasks) {
  std::atomic<bool> finished{false};
  {
    BoundedExecutor executor(1);
    ASSERT_TRUE(executor.TrySchedule([&] {
      absl::SleepFor(absl::Milliseconds(50));
      finished = true;
    }));
  }
  EXPECT_TRUE(finished.load());
}

TEST(SharedFlightTest, ConcurrentCallersForOneKeyShareOneComputation) {
  BoundedExecutor executor(4);
  Group group(&executor);
  constexpr int kCallers = 50;
  std::atomic<int> runs{0};
  absl::Notification release;
  std::vector<std::string> results(kCallers);
  std::vector<std::thread> threads;
  std::atomic<int> joined{0};
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      Group::Joined j = group.Join("anonymous", [&]() -> Group::Work {
        return [&](Group::Flight& /*flight*/) {
          ++runs;
          release.WaitForNotification();
          return std::string("eight products");
        };
      });
      ++joined;
      ASSERT_NE(j.flight, nullptr);
      Group::Flight::Seen seen =
          j.flight->Await(absl::Now() + absl::Seconds(10));
      EXPECT_TRUE(seen.final);
      results[i] = seen.value.value_or("");
    });
  }
  // Every caller has joined before the computation may finish, so none of
  // them can start a second one.
  ASSERT_TRUE(Eventually([&] { return joined.load() == kCallers; }));
  release.Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(runs.load(), 1);
  for (const std::string& r : results) EXPECT_EQ(r, "eight products");
  EXPECT_TRUE(Eventually([&] { return group.size() == 0; }));
}

TEST(SharedFlightTest, ImpatientCallerGetsTheInterimByItsDeadline) {
  BoundedExecutor executor(1);
  Group group(&executor);
  absl::Notification interim_published, release;
  Group::Joined j = group.Join("k", [&]() -> Group::Work {
    return [&](Group::Flight& flight) {
      flight.PublishInterim("builtin");
      interim_published.Notify();
      release.WaitForNotification();
      return std::string("model");
    };
  });
  ASSERT_NE(j.flight, nullptr);
  EXPECT_TRUE(j.started);
  interim_published.WaitForNotification();
  const absl::Time until = absl::Now() + absl::Milliseconds(30);
  Group::Flight::Seen seen = j.flight->Await(until);
  EXPECT_GE(absl::Now(), until);
  EXPECT_LT(absl::Now(), until + absl::Milliseconds(500));
  EXPECT_FALSE(seen.final);
  EXPECT_EQ(seen.value, "builtin");
  release.Notify();
  seen = j.flight->Await(absl::Now() + absl::Seconds(10));
  EXPECT_TRUE(seen.final);
  EXPECT_EQ(seen.value, "model");
}

TEST(SharedFlightTest, ComputationOutlivesEveryCallerAndTheNextStartsAnew) {
  BoundedExecutor executor(1);
  Group group(&executor);
  absl::Notification release;
  std::atomic<bool> finished{false};
  {
    Group::Joined j = group.Join("k", [&]() -> Group::Work {
      return [&](Group::Flight&) {
        release.WaitForNotification();
        finished = true;
        return std::string("done");
      };
    });
    // The caller gives up at once: nothing was published yet.
    Group::Flight::Seen seen = j.flight->Await(absl::Now());
    EXPECT_FALSE(seen.value.has_value());
  }
  release.Notify();
  ASSERT_TRUE(Eventually([&] { return group.size() == 0; }));
  EXPECT_TRUE(finished.load());
  Group::Joined next = group.Join("k", [&]() -> Group::Work {
    return [](Group::Flight&) { return std::string("again"); };
  });
  EXPECT_TRUE(next.started);
  EXPECT_EQ(next.flight->Await(absl::Now() + absl::Seconds(10)).value, "again");
}

TEST(SharedFlightTest, NoRoomOnTheExecutorIsSaidAndNothingIsLeftBehind) {
  BoundedExecutor executor(1);
  Group group(&executor);
  absl::Notification release;
  Group::Joined first = group.Join("a", [&]() -> Group::Work {
    return [&](Group::Flight&) {
      release.WaitForNotification();
      return std::string("a");
    };
  });
  ASSERT_NE(first.flight, nullptr);
  bool made = false;
  Group::Joined second = group.Join("b", [&]() -> Group::Work {
    made = true;
    return [](Group::Flight&) { return std::string("b"); };
  });
  EXPECT_TRUE(made);
  EXPECT_EQ(second.flight, nullptr);
  // The same key joins the flight in progress without needing room.
  Group::Joined again = group.Join("a", [&]() -> Group::Work {
    ADD_FAILURE() << "a second computation for a key in flight";
    return [](Group::Flight&) { return std::string(); };
  });
  EXPECT_EQ(again.flight, first.flight);
  EXPECT_FALSE(again.started);
  release.Notify();
  // Done (and forgotten by `group`) before `group` goes, which the
  // executor's worker would otherwise still touch.
  EXPECT_EQ(first.flight->Await(absl::Now() + absl::Seconds(10)).value, "a");
}

TEST(SharedFlightTest, MarkStaleReachesOnlyTheFlightOfThatKey) {
  BoundedExecutor executor(2);
  Group group(&executor);
  absl::Notification release;
  auto blocked = [&]() -> Group::Work {
    return [&](Group::Flight&) {
      release.WaitForNotification();
      return std::string("x");
    };
  };
  Group::Joined a = group.Join("a", blocked);
  Group::Joined b = group.Join("b", blocked);
  group.MarkStale("a");
  group.MarkStale("unknown");
  EXPECT_TRUE(a.flight->stale());
  EXPECT_FALSE(b.flight->stale());
  group.MarkAllStale();
  EXPECT_TRUE(b.flight->stale());
  release.Notify();
  // Both done before `group` goes (see above).
  EXPECT_EQ(a.flight->Await(absl::Now() + absl::Seconds(10)).value, "x");
  EXPECT_EQ(b.flight->Await(absl::Now() + absl::Seconds(10)).value, "x");
}

TEST(SharedFlightTest, AStaleComputationIsNotJoinedButReplaced) {
  BoundedExecutor executor(2);
  Group group(&executor);
  absl::Notification release;
  Group::Joined old = group.Join("k", [&]() -> Group::Work {
    return [&](Group::Flight&) {
      release.WaitForNotification();
      return std::string("from before the invalidation");
    };
  });
  group.MarkStale("k");
  Group::Joined fresh = group.Join("k", [&]() -> Group::Work {
    return [](Group::Flight&) { return std::string("fresh"); };
  });
  EXPECT_TRUE(fresh.started);
  EXPECT_NE(fresh.flight, old.flight);
  EXPECT_EQ(fresh.flight->Await(absl::Now() + absl::Seconds(10)).value,
            "fresh");
  release.Notify();
  EXPECT_EQ(old.flight->Await(absl::Now() + absl::Seconds(10)).value,
            "from before the invalidation");
  EXPECT_TRUE(Eventually([&] { return group.size() == 0; }));
}

}  // namespace
}  // namespace smartshop::recommender
