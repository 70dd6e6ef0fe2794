#include "services/tracking/group_committer.h"

#include <thread>

#include "gtest/gtest.h"
#include "services/tracking/interaction_validator.h"
#include "tests/fakes/fake_interaction_store.h"

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
  GroupCommitter committer(&store, /*writers=*/1, /*max_group=*/100);
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
  GroupCommitter committer(&store, 1, 100);
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
  GroupCommitter committer(&store, 2, 100);
  auto result = committer.Submit(Event(1), absl::Now() + absl::Seconds(5));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable);
}

TEST(GroupCommitterTest, GivesUpAtTheDeadline) {
  testing::FakeInteractionStore store;
  store.SetInsertDelay(absl::Milliseconds(300));
  GroupCommitter committer(&store, 1, 100);
  const absl::Time start = absl::Now();
  auto result = committer.Submit(Event(1), start + absl::Milliseconds(50));
  EXPECT_EQ(result.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(250));
}

}  // namespace
}  // namespace smartshop::tracking
