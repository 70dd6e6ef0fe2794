// Subscribe against a real Postgres: backlog then live events, resuming
// after a position without gaps or repeats, type filters, the `since` bound,
// pages larger than a message, concurrent writers through two replicas, bad
// arguments, the drain, subscriptions on their own connection pool, and how
// a transaction left open elsewhere in the cluster holds the feed back.
#include <atomic>
#include <iostream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/private_postgres.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::SubscribeRequest;
using smartshop::v1::SubscribeResponse;

Interaction Event(smartshop::v1::InteractionType type, int64_t product) {
  return ShopperEvent(type, "u1", "", product);
}

void TrackAll(TrackingHarness& server, const std::vector<Interaction>& events) {
  smartshop::v1::TrackBatchRequest request;
  for (const auto& e : events) *request.add_interactions() = e;
  smartshop::v1::TrackBatchResponse response;
  grpc::Status status = server.tracking().TrackBatch(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.stored(), static_cast<int>(events.size()));
}

// A subscription read on the test's thread, message by message.
class Subscription {
 public:
  Subscription(TrackingHarness& server, SubscribeRequest request,
               absl::Duration timeout = absl::Seconds(20))
      : context_(TrackingHarness::Context(timeout)),
        reader_(server.tracking().Subscribe(context_.get(), request)) {}

  // Reads until `count` events arrived (or the stream ends); records the
  // products, the last position and whether caught_up was seen.
  void ReadEvents(size_t count) {
    SubscribeResponse response;
    while (products.size() < count && reader_->Read(&response)) {
      Record(response);
    }
  }
  // Reads one message.
  bool ReadOne() {
    SubscribeResponse response;
    if (!reader_->Read(&response)) return false;
    Record(response);
    return true;
  }
  grpc::Status Finish() {
    context_->TryCancel();
    SubscribeResponse ignored;
    while (reader_->Read(&ignored)) {
    }
    return reader_->Finish();
  }
  grpc::Status FinishWithoutCancel() {
    SubscribeResponse ignored;
    while (reader_->Read(&ignored)) {
    }
    return reader_->Finish();
  }

  std::vector<int64_t> products;
  std::vector<int64_t> sequences;
  std::string position;
  int caught_up_messages = 0;
  int messages = 0;
  size_t max_message_bytes = 0;
  int largest_message_events = 0;

 private:
  void Record(const SubscribeResponse& response) {
    position = response.position();
    if (response.caught_up()) ++caught_up_messages;
    ++messages;
    max_message_bytes = std::max(max_message_bytes, response.ByteSizeLong());
    largest_message_events =
        std::max(largest_message_events, response.interactions_size());
    for (const auto& e : response.interactions()) {
      // Log order is the writers' transaction order: not always ascending
      // sequence, but never an event twice.
      EXPECT_TRUE(seen_.insert(e.sequence()).second) << e.sequence();
      sequences.push_back(e.sequence());
      products.push_back(e.product_id());
    }
  }

  std::set<int64_t> seen_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<SubscribeResponse>> reader_;
};

class SubscriptionTest : public ::testing::Test {
 protected:
  TestDatabase db_;
  TrackingHarness server_{db_.url()};
};

TEST_F(SubscriptionTest, DeliversTheBacklogThenNewEventsAsTheyCommit) {
  TrackAll(server_, {Event(smartshop::v1::VIEW_PRODUCT, 1),
                     Event(smartshop::v1::VIEW_PRODUCT, 2),
                     Event(smartshop::v1::ORDER_PLACED, 3)});
  Subscription subscription(server_, SubscribeRequest());
  subscription.ReadEvents(3);
  ASSERT_THAT(subscription.products, ::testing::ElementsAre(1, 2, 3));
  if (subscription.caught_up_messages == 0) {
    ASSERT_TRUE(subscription.ReadOne());
  }
  EXPECT_EQ(subscription.caught_up_messages, 1);

  const absl::Time before = absl::Now();
  TrackAll(server_, {Event(smartshop::v1::ADD_TO_CART, 4)});
  subscription.ReadEvents(4);
  EXPECT_THAT(subscription.products, ::testing::ElementsAre(1, 2, 3, 4));
  // Woken by the commit itself, not by a later poll of the database.
  EXPECT_LT(absl::Now() - before, absl::Seconds(1));
  EXPECT_FALSE(subscription.position.empty());
  EXPECT_EQ(subscription.Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(SubscriptionTest, ResumesAfterTheLastPositionWithoutGapsOrRepeats) {
  TrackAll(server_, {Event(smartshop::v1::VIEW_PRODUCT, 1),
                     Event(smartshop::v1::VIEW_PRODUCT, 2)});
  std::string resume_after;
  {
    Subscription first(server_, SubscribeRequest());
    first.ReadEvents(2);
    resume_after = first.position;
    (void)first.Finish();
  }
  // Written while nobody listens.
  TrackAll(server_, {Event(smartshop::v1::VIEW_PRODUCT, 3),
                     Event(smartshop::v1::VIEW_PRODUCT, 4)});
  SubscribeRequest request;
  request.set_after_position(resume_after);
  Subscription second(server_, request);
  second.ReadEvents(2);
  EXPECT_THAT(second.products, ::testing::ElementsAre(3, 4));
  EXPECT_EQ(second.Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(SubscriptionTest, TypeFilterStillAdvancesThePosition) {
  TrackAll(server_, {Event(smartshop::v1::VIEW_PRODUCT, 1),
                     Event(smartshop::v1::ORDER_PLACED, 2),
                     Event(smartshop::v1::VIEW_PRODUCT, 3)});
  SubscribeRequest request;
  request.add_types(smartshop::v1::ORDER_PLACED);
  Subscription subscription(server_, request);
  subscription.ReadEvents(1);
  EXPECT_THAT(subscription.products, ::testing::ElementsAre(2));
  // The position covers the view after the order, which was left out:
  // resuming there gives nothing more.
  while (subscription.caught_up_messages == 0 && subscription.ReadOne()) {
  }
  SubscribeRequest resume = request;
  resume.set_after_position(subscription.position);
  TrackAll(server_, {Event(smartshop::v1::ORDER_PLACED, 4)});
  Subscription resumed(server_, resume);
  resumed.ReadEvents(1);
  EXPECT_THAT(resumed.products, ::testing::ElementsAre(4));
  (void)subscription.Finish();
}

TEST_F(SubscriptionTest, ConcurrentWritersThroughTwoReplicasLoseNothing) {
  TrackingHarness replica(db_.url(), {.migrate = false});
  replica.ready() = true;
  Subscription subscription(server_, SubscribeRequest());
  constexpr int kWriters = 4;
  constexpr int kBatches = 15;
  constexpr int kPerBatch = 20;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      TrackingHarness& target = w % 2 == 0 ? server_ : replica;
      for (int b = 0; b < kBatches; ++b) {
        std::vector<Interaction> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back(
              Event(smartshop::v1::VIEW_PRODUCT, 1 + w * 10'000 + b * 100 + i));
        }
        TrackAll(target, batch);
      }
    });
  }
  for (auto& t : writers) t.join();
  constexpr size_t kTotal = kWriters * kBatches * kPerBatch;
  subscription.ReadEvents(kTotal);
  ASSERT_EQ(subscription.products.size(), kTotal);
  std::set<int64_t> distinct(subscription.products.begin(),
                             subscription.products.end());
  EXPECT_EQ(distinct.size(), kTotal);
  EXPECT_EQ(
      std::stoll(QueryScalar(db_.url(), "SELECT count(*) FROM interactions")),
      static_cast<int64_t>(kTotal));
  (void)subscription.Finish();
}

TEST_F(SubscriptionTest, RefusesBadArguments) {
  for (const char* token : {"-1.2", "x", "1.", "3.-4", "1.2.3"}) {
    SubscribeRequest bad_position;
    bad_position.set_after_position(token);
    EXPECT_EQ(
        Subscription(server_, bad_position).FinishWithoutCancel().error_code(),
        grpc::StatusCode::INVALID_ARGUMENT)
        << token;
  }
  SubscribeRequest bad_type;
  bad_type.add_types(static_cast<smartshop::v1::InteractionType>(99));
  EXPECT_EQ(Subscription(server_, bad_type).FinishWithoutCancel().error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  SubscribeRequest bad_since;
  bad_since.mutable_since()->set_nanos(-1);
  grpc::Status refused = Subscription(server_, bad_since).FinishWithoutCancel();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(refused.error_message(), "since: out of the valid range");
}

TEST_F(SubscriptionTest, SinceLeavesOutOlderEventsButAdvancesThePosition) {
  const absl::Time now = absl::Now();
  TrackAll(server_, {ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", 1,
                                  now - absl::Hours(48)),
                     ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", 2,
                                  now - absl::Hours(1)),
                     ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", 3,
                                  now - absl::Hours(30))});
  SubscribeRequest request;
  SetTimestamp(now - absl::Hours(24), request.mutable_since());
  Subscription subscription(server_, request);
  // (Not until caught_up: other tests' transactions in the cluster may hold
  // the horizon back, so the backlog can arrive after the marker.)
  subscription.ReadEvents(1);
  EXPECT_THAT(subscription.products, ::testing::ElementsAre(2));
  // Resuming there gives only what came after: the old events were passed.
  TrackAll(server_, {ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", 4,
                                  now - absl::Minutes(1))});
  SubscribeRequest resume = request;
  resume.set_after_position(subscription.position);
  Subscription resumed(server_, resume);
  resumed.ReadEvents(1);
  EXPECT_THAT(resumed.products, ::testing::ElementsAre(4));
  (void)subscription.Finish();
  (void)resumed.Finish();
}

// Database pages are larger than messages, and the next page is read while
// one is sent: across several pages nothing is lost, repeated or reordered
// (Record fails on a repeat), and no message holds more than 1000 events.
TEST_F(SubscriptionTest, BacklogOfSeveralPagesArrivesWholeInMessagesOf1000) {
  constexpr int kEvents = 12'500;  // over two pages of 5000
  for (int start = 0; start < kEvents; start += 1000) {
    std::vector<Interaction> batch;
    for (int i = start; i < std::min(kEvents, start + 1000); ++i) {
      batch.push_back(Event(smartshop::v1::VIEW_PRODUCT, i + 1));
    }
    TrackAll(server_, batch);
  }
  Subscription subscription(server_, SubscribeRequest(), absl::Seconds(60));
  subscription.ReadEvents(kEvents);
  ASSERT_EQ(subscription.products.size(), static_cast<size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) {
    ASSERT_EQ(subscription.products[i], i + 1) << "at " << i;
  }
  EXPECT_GE(subscription.messages, kEvents / 1000);
  EXPECT_LE(subscription.largest_message_events, 1000);
  (void)subscription.Finish();
}

// Subscriptions read over a pool of their own: with every one of its
// connections taken (as many replaying replicas would take them) and more
// subscribers queueing for it, Track still commits at once on the main
// pool, and the subscribers get the events once a connection is free.
TEST(SubscriptionPoolTest, SubscribersHoldingTheirWholePoolDoNotBlockTrack) {
  TestDatabase db;
  TrackingHarness server(db.url(),
                         {.pool_size = 2, .subscription_pool_size = 1});
  ASSERT_NE(server.subscription_pool(), nullptr);
  HeldConnection held(*server.subscription_pool());
  // Subscribers waiting for the pool.
  std::vector<std::unique_ptr<Subscription>> subscribers;
  for (int i = 0; i < 4; ++i) {
    subscribers.push_back(std::make_unique<Subscription>(
        server, SubscribeRequest(), absl::Seconds(30)));
  }
  for (int i = 0; i < 20; ++i) {
    smartshop::v1::TrackRequest request;
    *request.mutable_interaction() = Event(smartshop::v1::VIEW_PRODUCT, i + 1);
    smartshop::v1::TrackResponse response;
    grpc::Status status = server.tracking().Track(
        TrackingHarness::Context(absl::Seconds(2)).get(), request, &response);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
    EXPECT_EQ(response.outcome(), smartshop::v1::STORED);
  }
  EXPECT_EQ(server.subscription_pool()->in_use(), 1);
  held.Release();
  for (auto& subscriber : subscribers) {
    subscriber->ReadEvents(20);
    EXPECT_EQ(subscriber->products.size(), 20u);
    (void)subscriber->Finish();
  }
}

TEST_F(SubscriptionTest, EndsWithUnavailableWhenTheServerStopsSubscriptions) {
  Subscription subscription(server_, SubscribeRequest());
  ASSERT_TRUE(subscription.ReadOne());
  server_.StopSubscriptions();
  grpc::Status status = subscription.FinishWithoutCancel();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(SubscriptionTest, LargeEventsAreSplitIntoMessagesUnderTheLimit) {
  // 120 events of about 16 KiB: 1000 of them would not fit a 4 MiB message.
  std::vector<Interaction> batch;
  for (int i = 0; i < 120; ++i) {
    Interaction event = Event(smartshop::v1::VIEW_PRODUCT, i + 1);
    event.set_extra_data(
        absl::StrCat(R"({"note":")", std::string(16'000, 'x'), R"("})"));
    batch.push_back(event);
  }
  for (size_t start = 0; start < batch.size(); start += 40) {
    TrackAll(server_, std::vector<Interaction>(batch.begin() + start,
                                               batch.begin() + start + 40));
  }
  Subscription subscription(server_, SubscribeRequest());
  subscription.ReadEvents(batch.size());
  EXPECT_EQ(subscription.products.size(), batch.size());
  EXPECT_GE(subscription.messages, 2);
  EXPECT_LE(subscription.max_message_bytes, (1u << 20) + 20'000);
  (void)subscription.Finish();
}

// The feed's horizon is the cluster-wide oldest running transaction
// (pg_snapshot_xmin): a transaction holding an xid in another database of
// the same cluster holds back every event committed after it began, for as
// long as it stays open, and the lag metric shows it. On a private cluster,
// so that the held transaction stalls no other test's feed.
TEST(SubscriptionHorizonTest, OpenTransactionInAnotherDatabaseStallsTheFeed) {
  PrivatePostgres postgres;
  TrackingHarness server(postgres.url());
  tracking::PgInteractionStore store(&server.pool());
  auto lag = [&] {
    auto measured = store.LogHorizonLag(absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(measured.ok()) << measured.status();
    return measured.ok() ? *measured : absl::InfiniteDuration();
  };

  Subscription subscription(server, SubscribeRequest(), absl::Seconds(60));
  while (subscription.caught_up_messages == 0) {
    ASSERT_TRUE(subscription.ReadOne());
  }
  const std::string other_database =
      postgres.url().substr(0, postgres.url().rfind('/') + 1) + "postgres";
  pqxx::connection other(other_database);
  auto blocker = std::make_unique<pqxx::work>(other);
  blocker->exec("SELECT txid_current()");  // now it holds an xid
  const absl::Time opened = absl::Now();

  TrackAll(server, {Event(smartshop::v1::VIEW_PRODUCT, 1),
                    Event(smartshop::v1::VIEW_PRODUCT, 2)});
  const absl::Time committed = absl::Now();
  std::atomic<int64_t> delivered_at_micros{0};
  std::thread reader([&] {
    subscription.ReadEvents(2);
    delivered_at_micros = absl::ToUnixMicros(absl::Now());
  });

  constexpr absl::Duration kHeld = absl::Seconds(3);
  absl::SleepFor(kHeld - (absl::Now() - opened));
  EXPECT_EQ(delivered_at_micros.load(), 0)
      << "delivered while an older transaction was open";
  // The held events' transaction began after `opened`, before `committed`.
  const absl::Time asked = absl::Now();
  const absl::Duration lag_while_held = lag();
  EXPECT_GE(lag_while_held, asked - committed - absl::Milliseconds(50));
  EXPECT_LE(lag_while_held, absl::Now() - opened + absl::Milliseconds(50));
  EXPECT_GE(lag_while_held, kHeld / 2);

  blocker->commit();
  const absl::Time closed = absl::Now();
  reader.join();
  ASSERT_NE(delivered_at_micros.load(), 0);
  const absl::Time delivered = absl::FromUnixMicros(delivered_at_micros);
  EXPECT_THAT(subscription.products, ::testing::ElementsAre(1, 2));
  // Delivered once the transaction ended: within the 200 ms poll, since
  // this process's own commit signal fired long before.
  EXPECT_LT(delivered - closed, absl::Seconds(1));
  EXPECT_EQ(lag(), absl::ZeroDuration());
  std::cout << "horizon stall: transaction in database \"postgres\" held for "
            << absl::FormatDuration(closed - opened)
            << "; events committed in the tracking database waited "
            << absl::FormatDuration(delivered - committed)
            << " for the feed, delivered "
            << absl::FormatDuration(delivered - closed)
            << " after it ended; lag metric while held "
            << absl::FormatDuration(lag_while_held) << "\n";
  (void)subscription.Finish();
}

}  // namespace
}  // namespace smartshop::testing
