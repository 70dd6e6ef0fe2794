#include "services/tracking/isolated_insert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tracking/interaction_validator.h"
#include "tests/testing/fake_interaction_store.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Interaction;

std::vector<Interaction> Views(int count) {
  std::vector<Interaction> events;
  for (int i = 1; i <= count; ++i) {
    Interaction event;
    event.set_session_key("s");
    event.set_type(smartshop::v1::VIEW_PRODUCT);
    event.set_product_id(i);
    events.push_back(Normalize(event, absl::Now()));
  }
  return events;
}

TEST(InsertIsolatingRejectsTest, AllGoodIsOneTransaction) {
  testing::FakeInteractionStore store;
  auto outcomes =
      InsertIsolatingRejects(store, Views(8), absl::InfiniteFuture());
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  for (const InsertOutcome& o : *outcomes) {
    EXPECT_TRUE(o.status.ok());
    EXPECT_TRUE(o.stored);
  }
  EXPECT_THAT(store.insert_sizes(), ::testing::ElementsAre(8));
}

TEST(InsertIsolatingRejectsTest, OnlyTheRefusedEventsFail) {
  testing::FakeInteractionStore store;
  store.RejectProduct(3);
  store.RejectProduct(90);
  const std::vector<Interaction> events = Views(100);
  auto outcomes = InsertIsolatingRejects(store, events, absl::InfiniteFuture());
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  for (size_t i = 0; i < events.size(); ++i) {
    const InsertOutcome& o = (*outcomes)[i];
    if (events[i].product_id() == 3 || events[i].product_id() == 90) {
      EXPECT_EQ(o.status.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(o.status.message(), "storage: event rejected");
    } else {
      EXPECT_TRUE(o.status.ok()) << i;
      EXPECT_TRUE(o.stored) << i;
    }
  }
  EXPECT_EQ(store.stored().size(), 98u);
  // Halving, not one transaction per event: two bad events among 100.
  EXPECT_LE(store.insert_sizes().size(), 30u);
}

TEST(InsertIsolatingRejectsTest, DuplicatesStayDuplicatesAfterSplitting) {
  testing::FakeInteractionStore store;
  std::vector<Interaction> events = Views(4);
  ASSERT_TRUE(store.Insert({events[0]}, absl::InfiniteFuture()).ok());
  store.RejectProduct(4);
  auto outcomes = InsertIsolatingRejects(store, events, absl::InfiniteFuture());
  ASSERT_TRUE(outcomes.ok());
  EXPECT_FALSE((*outcomes)[0].stored);  // already there
  EXPECT_TRUE((*outcomes)[0].status.ok());
  EXPECT_TRUE((*outcomes)[1].stored);
  EXPECT_TRUE((*outcomes)[2].stored);
  EXPECT_FALSE((*outcomes)[3].status.ok());
}

TEST(InsertIsolatingRejectsTest, ConnectionLossFailsEverything) {
  testing::FakeInteractionStore store;
  store.FailWith(absl::UnavailableError("storage: unavailable"));
  auto outcomes =
      InsertIsolatingRejects(store, Views(10), absl::InfiniteFuture());
  EXPECT_EQ(outcomes.status().code(), absl::StatusCode::kUnavailable);
  // Not split: the same connection problem would fail every half too.
  EXPECT_EQ(store.inserts_started(), 1);
}

}  // namespace
}  // namespace smartshop::tracking
