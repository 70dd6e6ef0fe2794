#include "services/tracking/batch_ingestor.h"

#include "gtest/gtest.h"
#include "tests/testing/fake_interaction_store.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Interaction;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

Interaction View(int64_t product, std::string event_id = "") {
  Interaction event;
  event.set_session_key("s");
  event.set_type(smartshop::v1::VIEW_PRODUCT);
  event.set_product_id(product);
  event.set_event_id(std::move(event_id));
  return event;
}

std::vector<const Interaction*> Pointers(const std::vector<Interaction>& v) {
  std::vector<const Interaction*> out;
  for (const auto& e : v) out.push_back(&e);
  return out;
}

class BatchIngestorTest : public ::testing::Test {
 protected:
  testing::FakeInteractionStore store_;
  SimulatedClock clock_{kNow};
  BatchIngestor ingestor_{&store_, &clock_};
};

TEST_F(BatchIngestorTest, StoresValidEventsAndRejectsOnlyTheBadOne) {
  std::vector<Interaction> events = {View(1), View(0), View(3)};
  auto results = ingestor_.Ingest(Pointers(events), 10, absl::InfiniteFuture());
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].outcome(), smartshop::v1::STORED);
  EXPECT_EQ((*results)[0].index(), 10);
  EXPECT_EQ((*results)[1].outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ((*results)[1].field(), "product_id");
  EXPECT_EQ((*results)[1].index(), 11);
  EXPECT_EQ((*results)[2].outcome(), smartshop::v1::STORED);
  ASSERT_EQ(store_.stored().size(), 2u);
  EXPECT_EQ(store_.stored()[1].product_id(), 3);
}

TEST_F(BatchIngestorTest, RepeatedIdsInOneBatchAreDuplicates) {
  const std::string id = "6f9619ff-8b86-d011-b42d-00c04fc964ff";
  std::vector<Interaction> events = {View(1, id), View(1, id)};
  auto results = ingestor_.Ingest(Pointers(events), 0, absl::InfiniteFuture());
  ASSERT_TRUE(results.ok());
  EXPECT_EQ((*results)[0].outcome(), smartshop::v1::STORED);
  EXPECT_EQ((*results)[1].outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ((*results)[1].event_id(), id);
  EXPECT_EQ(store_.stored().size(), 1u);
}

TEST_F(BatchIngestorTest, RetryReportsDuplicates) {
  std::vector<Interaction> events = {View(1), View(2)};
  auto first = ingestor_.Ingest(Pointers(events), 0, absl::InfiniteFuture());
  ASSERT_TRUE(first.ok());
  // The retry carries the ids the server chose the first time.
  events[0].set_event_id((*first)[0].event_id());
  events[1].set_event_id((*first)[1].event_id());
  auto retry = ingestor_.Ingest(Pointers(events), 0, absl::InfiniteFuture());
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ((*retry)[0].outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ((*retry)[1].outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ(store_.stored().size(), 2u);
}

TEST_F(BatchIngestorTest, EventTheDatabaseRefusesIsRejectedAlone) {
  store_.RejectProduct(2);
  std::vector<Interaction> events = {View(1), View(2), View(3)};
  auto results = ingestor_.Ingest(Pointers(events), 0, absl::InfiniteFuture());
  ASSERT_TRUE(results.ok()) << results.status();
  EXPECT_EQ((*results)[0].outcome(), smartshop::v1::STORED);
  EXPECT_EQ((*results)[1].outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ((*results)[1].field(), "");
  EXPECT_EQ((*results)[1].error(), "storage: event rejected");
  EXPECT_FALSE((*results)[1].event_id().empty());
  EXPECT_EQ((*results)[2].outcome(), smartshop::v1::STORED);
  EXPECT_EQ(store_.stored().size(), 2u);
}

TEST_F(BatchIngestorTest, StoreFailureFailsTheCall) {
  store_.FailWith(absl::UnavailableError("db down"));
  std::vector<Interaction> events = {View(1)};
  auto results = ingestor_.Ingest(Pointers(events), 0, absl::InfiniteFuture());
  EXPECT_EQ(results.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace smartshop::tracking

namespace smartshop::tracking {
namespace {

// The attribution fields never cost an event: a malformed id is left out
// and the event's result says so, as a warning on STORED.
TEST_F(BatchIngestorTest, StoresEventsWithoutMalformedAttribution) {
  std::vector<Interaction> events = {View(1), View(2), View(3)};
  events[0].set_recommendation_id("6F1D1B4E-8C39-4D0E-9D43-4B1C8A8D1E01");
  events[0].set_position(2);
  events[1].set_recommendation_id("garbage");
  events[1].set_position(2);
  events[1].set_event_id("00000000-0000-4000-8000-000000000001");
  events[2].set_position(5);
  auto results = ingestor_.Ingest(Pointers(events), 0, absl::InfiniteFuture());
  ASSERT_TRUE(results.ok()) << results.status();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].outcome(), smartshop::v1::STORED);
  EXPECT_EQ((*results)[0].field(), "");
  EXPECT_EQ((*results)[1].outcome(), smartshop::v1::STORED);
  EXPECT_EQ((*results)[1].field(), "recommendation_id");
  EXPECT_EQ((*results)[1].error(), "not a UUID; stored without it");
  EXPECT_EQ((*results)[2].outcome(), smartshop::v1::STORED);
  EXPECT_EQ((*results)[2].field(), "position");
  ASSERT_EQ(store_.stored().size(), 3u);
  EXPECT_EQ(store_.stored()[0].recommendation_id(),
            "6f1d1b4e-8c39-4d0e-9d43-4b1c8a8d1e01");
  EXPECT_EQ(store_.stored()[0].position(), 2);
  EXPECT_EQ(store_.stored()[1].recommendation_id(), "");
  EXPECT_EQ(store_.stored()[1].position(), 0);
  EXPECT_EQ(store_.stored()[2].position(), 0);

  // A retry is a duplicate, without the warning (nothing was stored now).
  std::vector<Interaction> retry = {events[1]};
  auto again = ingestor_.Ingest(Pointers(retry), 0, absl::InfiniteFuture());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)[0].outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ((*again)[0].field(), "");
  EXPECT_EQ((*again)[0].error(), "");
}

}  // namespace
}  // namespace smartshop::tracking
