#include "services/tracking/group_committer.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/tracking/interaction_validator.h"
#include "tests/testing/fake_interaction_store.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Interaction;

Interaction Event(int64_t product) {
  Interaction event;
  event.set_session_key("s");
  event.set_type(smartshop::v1::VIEW_PRODUCT);
  event.set_product_id(product);
  return Normalize(event, absl::Now());
}

TEST(GroupCommitterTest, CommitsConcurrentCallsInFewerTransactions) {
  testing::FakeInteractionStore store;
  store.SetInsertDelay(absl::Milliseconds(20));
  GroupCommitter committer(&store, {.writers = 1, .max_group = 100});
  constexpr int kCallers = 32;
  std::vector<std::thread> callers;
  std::atomic<int> stored{0};
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      auto result =
          committer.Submit(Event(i + 1), absl::Now() + absl::Seconds(10));
      if (result.ok() && *result) ++stored;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(stored.load(), kCallers);
  EXPECT_EQ(store.stored().size(), static_cast<size_t>(kCallers));
  // With one writer busy 20 ms per commit, callers pile up and share commits.
  EXPECT_LT(store.insert_sizes().size(), static_cast<size_t>(kCallers));
}

TEST(GroupCommitterTest, SameEventTwiceIsStoredOnceAndReportedDuplicate) {
  testing::FakeInteractionStore store;
  GroupCommitter committer(&store, {.writers = 1, .max_group = 100});
  const Interaction event = Event(1);
  auto first = committer.Submit(event, absl::Now() + absl::Seconds(5));
  auto second = committer.Submit(event, absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*second);
  EXPECT_EQ(store.stored().size(), 1u);
}

TEST(GroupCommitterTest, StoreErrorReachesTheCaller) {
  testing::FakeInteractionStore store;
  store.FailWith(absl::UnavailableError("db down"));
  GroupCommitter committer(&store, {.writers = 2, .max_group = 100});
  auto result = committer.Submit(Event(1), absl::Now() + absl::Seconds(5));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
}

// A poison event (valid, but refused by the database) shares a group with
// other callers' events: they are stored and succeed, only its caller fails.
TEST(GroupCommitterTest, PoisonEventFailsOnlyItsOwnCaller) {
  testing::FakeInteractionStore store;
  store.RejectProduct(666);
  store.Block();
  GroupCommitter committer(&store, {.writers = 1, .max_group = 100});
  absl::Mutex mu;
  std::vector<absl::StatusOr<bool>> results(17, absl::UnknownError("unset"));
  int finished = 0;
  auto submit = [&](int i, int64_t product) {
    committer.SubmitAsync(Event(product), absl::Now() + absl::Seconds(10),
                          [&, i](absl::StatusOr<bool> result) {
                            absl::MutexLock lock(&mu);
                            results[i] = std::move(result);
                            ++finished;
                          });
  };
  submit(0, 1);  // the writer takes this one and blocks in the store
  while (store.inserts_started() == 0) absl::SleepFor(absl::Milliseconds(1));
  for (int i = 1; i < 17; ++i) submit(i, i == 8 ? 666 : i + 1);
  store.Unblock();
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == 17; }, &finished));
  }
  for (int i = 0; i < 17; ++i) {
    if (i == 8) {
      EXPECT_EQ(results[i].status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(results[i].status().message(), "storage: event rejected");
    } else {
      ASSERT_TRUE(results[i].ok()) << i << ": " << results[i].status();
      EXPECT_TRUE(*results[i]) << i;
    }
  }
  EXPECT_EQ(store.stored().size(), 16u);
  // The 16 waiting callers went in as one group (then split up).
  EXPECT_EQ(store.insert_sizes()[1], 16u);
}

TEST(GroupCommitterTest, GivesUpAtTheDeadline) {
  testing::FakeInteractionStore store;
  store.SetInsertDelay(absl::Milliseconds(300));
  GroupCommitter committer(&store, {.writers = 1, .max_group = 100});
  const absl::Time start = absl::Now();
  auto result = committer.Submit(Event(1), start + absl::Milliseconds(50));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(250));
}

// While the database stalls, unary events are refused once max_pending are
// waiting, instead of piling up in memory for as long as their deadlines.
TEST(GroupCommitterTest, RefusesBeyondTheBoundWhileTheStoreStalls) {
  testing::FakeInteractionStore store;
  store.Block();
  std::atomic<int> refused_metric{0};
  GroupCommitter committer(&store, {.writers = 1,
                                    .max_group = 10,
                                    .max_pending = 50,
                                    .on_refused = [&] { ++refused_metric; }});
  absl::Mutex mu;
  int stored = 0, refused = 0, other = 0;
  auto done = [&](absl::StatusOr<bool> result) {
    absl::MutexLock lock(&mu);
    if (result.ok()) {
      ++stored;
    } else if (result.status().code() == absl::StatusCode::kResourceExhausted &&
               result.status().message() == kTooManyPendingMessage) {
      ++refused;
    } else {
      ++other;
    }
  };
  size_t most_pending = 0;
  for (int i = 0; i < 1000; ++i) {
    committer.SubmitAsync(Event(i + 1), absl::Now() + absl::Seconds(30), done);
    most_pending = std::max(most_pending, committer.pending());
  }
  EXPECT_EQ(most_pending, 50u);
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(refused, 950);  // answered at once, while the store is stuck
    EXPECT_EQ(stored, 0);
  }
  EXPECT_EQ(refused_metric.load(), 950);
  EXPECT_EQ(committer.Submit(Event(5000), absl::Now() + absl::Seconds(1))
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  store.Unblock();
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](int* n) { return *n == 50; }, &stored));
    EXPECT_EQ(other, 0);
  }
  while (committer.pending() > 0) absl::SleepFor(absl::Milliseconds(1));
  // Room again once the database answers.
  EXPECT_TRUE(
      committer.Submit(Event(6000), absl::Now() + absl::Seconds(5)).ok());
  EXPECT_EQ(store.stored().size(), 51u);
}

}  // namespace
}  // namespace smartshop::tracking
