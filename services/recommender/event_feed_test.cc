#include "services/recommender/event_feed.h"

#include <grpcpp/test/mock_stream.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/builtin/interaction_model.h"
#include "smartshop/v1/tracking_mock.grpc.pb.h"
#include "tests/testing/eventually.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::Eventually;
using ::testing::_;
using ::testing::StrictMock;

using MockStream = grpc::testing::MockClientReader<v1::SubscribeResponse>;

// Long enough that a test never sees the feed retry on its own.
constexpr absl::Duration kNoRetry = absl::Hours(1);
constexpr absl::Duration kWait = absl::Seconds(10);

v1::Interaction View(int64_t sequence, int64_t product_id) {
  v1::Interaction event;
  event.set_sequence(sequence);
  event.set_user_id("shopper");
  event.set_type(smartshop::v1::VIEW_PRODUCT);
  event.set_product_id(product_id);
  event.mutable_timestamp()->set_seconds(1'700'000'000 + sequence);
  return event;
}

v1::SubscribeResponse Message(std::vector<v1::Interaction> events,
                              const std::string& position,
                              bool caught_up = false) {
  v1::SubscribeResponse message;
  for (v1::Interaction& event : events) *message.add_interactions() = event;
  message.set_position(position);
  message.set_caught_up(caught_up);
  return message;
}

// A Subscribe stream that delivers `messages` and then ends with `end`
// (owned by the caller of SubscribeRaw, as a real stream is).
MockStream* Replay(std::vector<v1::SubscribeResponse> messages,
                   grpc::Status end) {
  auto* stream = new ::testing::NiceMock<MockStream>();
  auto next = std::make_shared<size_t>(0);
  ON_CALL(*stream, Read(_))
      .WillByDefault(
          [messages = std::move(messages), next](v1::SubscribeResponse* out) {
            if (*next == messages.size()) return false;
            *out = messages[(*next)++];
            return true;
          });
  ON_CALL(*stream, Finish()).WillByDefault(::testing::Return(end));
  return stream;
}

// The action for SubscribeRaw answering with Replay(messages, end).
auto Answer(std::vector<v1::SubscribeResponse> messages, grpc::Status end) {
  return [messages = std::move(messages), end](grpc::ClientContext*,
                                               const v1::SubscribeRequest&) {
    return Replay(messages, end);
  };
}

const grpc::Status kUnavailable(grpc::StatusCode::UNAVAILABLE, "tracking gone");

class EventFeedTest : public ::testing::Test {
 protected:
  // The feed over `stub_`; live events are recorded in live_.
  std::unique_ptr<EventFeed> MakeFeed(EventFeedOptions options) {
    auto stub = std::make_unique<StrictMock<v1::MockTrackingServiceStub>>();
    stub_ = stub.get();
    return std::make_unique<EventFeed>(
        std::move(stub), &model_,
        [this](const v1::Interaction& event) {
          absl::MutexLock lock(&mu_);
          live_.push_back(event.sequence());
        },
        std::move(options));
  }
  std::vector<int64_t> live() {
    absl::MutexLock lock(&mu_);
    return live_;
  }

  InteractionModel model_;
  StrictMock<v1::MockTrackingServiceStub>* stub_ =
      nullptr;  // owned by the feed
  absl::Mutex mu_;
  std::vector<int64_t> live_ ABSL_GUARDED_BY(mu_);
};

TEST_F(EventFeedTest, LearnsTheHistoryAndReportsOnlyLaterEventsAsLive) {
  int caught_up_calls = 0;
  auto feed = MakeFeed(
      {.retry_initial = kNoRetry, .on_caught_up = [&] { ++caught_up_calls; }});
  EXPECT_CALL(*stub_, SubscribeRaw(_, _))
      .WillOnce(Answer({Message({View(10, 1), View(30, 2)}, "p1"),
                        Message({View(20, 3)}, "p2", /*caught_up=*/true),
                        Message({View(25, 4)}, "p3")},
                       kUnavailable));

  feed->Start();

  ASSERT_TRUE(feed->WaitUntilCaughtUp(absl::Now() + kWait));
  ASSERT_TRUE(Eventually([&] { return feed->reconnects() == 1; }, kWait));
  EXPECT_TRUE(feed->caught_up());
  EXPECT_FALSE(feed->connected());
  EXPECT_EQ(caught_up_calls, 1);
  EXPECT_EQ(model_.events_observed(), 4);
  // The message that says "caught up" still carries backlog events.
  EXPECT_THAT(live(), ::testing::ElementsAre(25));
  EXPECT_EQ(feed->position(), "p3");
  EXPECT_EQ(feed->last_sequence(), 30);  // the largest, not the last
}

TEST_F(EventFeedTest, WithAWindowAsksOnlyForRecentEventsAndCountsTheReplay) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000 + 3600);
  SimulatedClock clock(now);
  auto feed = MakeFeed({.retry_initial = kNoRetry,
                        .model_window = absl::Hours(24),
                        .clock = &clock});
  v1::SubscribeRequest sent;
  EXPECT_CALL(*stub_, SubscribeRaw(_, _))
      .WillOnce([&](grpc::ClientContext*, const v1::SubscribeRequest& request) {
        sent = request;
        return Replay({Message({View(10, 1), View(30, 2)}, "p1"),
                       Message({View(20, 3)}, "p2", /*caught_up=*/true),
                       Message({View(25, 4)}, "p3")},
                      kUnavailable);
      });
  feed->Start();
  ASSERT_TRUE(feed->WaitUntilCaughtUp(absl::Now() + kWait));
  ASSERT_TRUE(Eventually([&] { return feed->reconnects() == 1; }, kWait));
  ASSERT_TRUE(sent.has_since());
  EXPECT_EQ(ToTime(sent.since()), now - absl::Hours(24));
  EXPECT_EQ(feed->replayed_events(), 3);  // the live one is not replay
}

TEST_F(EventFeedTest, AsksForTheShoppingEventsFromTheStartWithADeadline) {
  auto feed = MakeFeed(
      {.stream_lifetime = absl::Minutes(3), .retry_initial = kNoRetry});
  v1::SubscribeRequest sent;
  absl::Time deadline;
  const absl::Time before = absl::Now();
  EXPECT_CALL(*stub_, SubscribeRaw(_, _))
      .WillOnce([&](grpc::ClientContext* context,
                    const v1::SubscribeRequest& request) {
        sent = request;
        deadline = absl::FromChrono(context->deadline());
        return Replay({}, kUnavailable);
      });

  feed->Start();
  ASSERT_TRUE(Eventually([&] { return feed->reconnects() == 1; }, kWait));
  const absl::Time after = absl::Now();

  EXPECT_EQ(sent.after_position(), "");
  EXPECT_FALSE(sent.has_since());  // no window: the whole history
  EXPECT_THAT(sent.types(),
              ::testing::ElementsAre(smartshop::v1::VIEW_PRODUCT,
                                     smartshop::v1::ADD_TO_CART,
                                     smartshop::v1::REMOVE_FROM_CART,
                                     smartshop::v1::ORDER_PLACED));
  EXPECT_GE(deadline, before + absl::Minutes(3));
  EXPECT_LE(deadline, after + absl::Minutes(3));
  EXPECT_EQ(feed->position(), "");
  EXPECT_FALSE(feed->caught_up());
}

TEST_F(EventFeedTest, ResumesAfterTheLastPositionSoNoEventIsLearntTwice) {
  auto feed = MakeFeed({.retry_initial = absl::Milliseconds(1),
                        .retry_max = absl::Milliseconds(1)});
  ::testing::InSequence calls;
  EXPECT_CALL(*stub_,
              SubscribeRaw(_, ::testing::Property(
                                  &v1::SubscribeRequest::after_position, "")))
      .WillOnce(Answer({Message({View(1, 1)}, "p1", /*caught_up=*/true)},
                       kUnavailable));
  EXPECT_CALL(*stub_,
              SubscribeRaw(_, ::testing::Property(
                                  &v1::SubscribeRequest::after_position, "p1")))
      .WillOnce(Answer({Message({View(2, 2)}, "p2")}, kUnavailable));
  EXPECT_CALL(*stub_,
              SubscribeRaw(_, ::testing::Property(
                                  &v1::SubscribeRequest::after_position, "p2")))
      .WillRepeatedly(Answer({}, kUnavailable));

  feed->Start();

  ASSERT_TRUE(Eventually([&] { return feed->reconnects() >= 3; }, kWait));
  EXPECT_EQ(model_.events_observed(), 2);
  EXPECT_THAT(live(), ::testing::ElementsAre(2));
  EXPECT_EQ(feed->last_sequence(), 2);
  EXPECT_EQ(feed->position(), "p2");
}

TEST_F(EventFeedTest, TheCallsPlannedEndIsNoReconnect) {
  auto feed = MakeFeed(
      {.stream_lifetime = absl::Milliseconds(20), .retry_initial = kNoRetry});
  std::atomic<int> calls{0};
  EXPECT_CALL(*stub_, SubscribeRaw(_, _))
      .WillRepeatedly(
          [&](grpc::ClientContext* context, const v1::SubscribeRequest&) {
            ++calls;
            // As a real stream does: open until its deadline, then ended.
            absl::SleepFor(absl::FromChrono(context->deadline()) - absl::Now());
            return Replay({}, grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                           "Deadline Exceeded"));
          });

  feed->Start();

  ASSERT_TRUE(Eventually([&] { return calls >= 3; }, kWait));
  EXPECT_EQ(feed->reconnects(), 0);
}

TEST_F(EventFeedTest, ADeadlineBeforeThePlannedEndIsAFailure) {
  auto feed = MakeFeed(
      {.stream_lifetime = absl::Minutes(10), .retry_initial = kNoRetry});
  EXPECT_CALL(*stub_, SubscribeRaw(_, _))
      .WillOnce(Answer({}, grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                        "Deadline Exceeded")));

  feed->Start();

  ASSERT_TRUE(Eventually([&] { return feed->reconnects() == 1; }, kWait));
}

TEST_F(EventFeedTest, StoppingWakesTheRetryPause) {
  auto feed = MakeFeed({.retry_initial = kNoRetry});
  EXPECT_CALL(*stub_, SubscribeRaw(_, _)).WillOnce(Answer({}, kUnavailable));
  feed->Start();
  ASSERT_TRUE(Eventually([&] { return feed->reconnects() == 1; }, kWait));

  const absl::Time start = absl::Now();
  feed.reset();

  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST_F(EventFeedTest, NotStartedCallsNothing) {
  auto feed = MakeFeed({});
  EXPECT_FALSE(feed->WaitUntilCaughtUp(absl::Now()));
  EXPECT_FALSE(feed->connected());
  EXPECT_EQ(feed->last_sequence(), 0);
}

}  // namespace
}  // namespace smartshop::recommender
