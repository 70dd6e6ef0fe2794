// A new recommender replica against a real tracking service and Postgres:
// it says "warming" (readiness and metric) until it has replayed the log,
// then ready; with a model window, older events are not sent to it.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/event_feed.h"
#include "services/recommender/recommender_metrics.h"
#include "services/recommender/replica_readiness.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/eventually.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using recommender::EventFeed;
using recommender::InteractionModel;
using smartshop::v1::Interaction;

void TrackAll(TrackingHarness& server, const std::vector<Interaction>& events) {
  for (size_t start = 0; start < events.size(); start += 1000) {
    smartshop::v1::TrackBatchRequest request;
    for (size_t i = start; i < std::min(events.size(), start + 1000); ++i) {
      *request.add_interactions() = events[i];
    }
    smartshop::v1::TrackBatchResponse response;
    grpc::Status status = server.tracking().TrackBatch(
        TrackingHarness::Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.stored(), request.interactions_size());
  }
}

std::shared_ptr<grpc::Channel> ChannelTo(TrackingHarness& server) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                             grpc::InsecureChannelCredentials());
}

// The value of the unlabelled gauge or counter `name` in `registry`.
double MetricValue(prometheus::Registry& registry, const std::string& name) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name || family.metric.empty()) continue;
    const prometheus::ClientMetric& metric = family.metric.front();
    return family.type == prometheus::MetricType::Counter ? metric.counter.value
                                                          : metric.gauge.value;
  }
  ADD_FAILURE() << "no metric " << name;
  return -1;
}

void Scrape(recommender::RecommenderMetrics& metrics, const EventFeed& feed,
            const InteractionModel& model) {
  metrics.SetModel({.events = model.events_observed(),
                    .caught_up = feed.caught_up(),
                    .warming = recommender::Warming(&feed),
                    .replayed_events = feed.replayed_events()});
}

TEST(ReplicaTest, WarmingUntilTheBacklogIsReplayedThenReadyAndTheMetricFlips) {
  TestDatabase db;
  TrackingHarness server(db.url(), {.subscription_pool_size = 1});
  constexpr int kBacklog = 6000;  // more than one database page
  std::vector<Interaction> backlog;
  for (int i = 0; i < kBacklog; ++i) {
    backlog.push_back(ShopperEvent(smartshop::v1::VIEW_PRODUCT,
                                   absl::StrCat("u", i % 300), "", 1 + i % 50));
  }
  TrackAll(server, backlog);

  // Hold the log's only connection, so that the replay cannot end before
  // the test has looked at the warming replica.
  HeldConnection held(*server.subscription_pool());
  prometheus::Registry registry;
  recommender::RecommenderMetrics metrics(registry);
  InteractionModel model;
  EventFeed feed(ChannelTo(server), &model, nullptr);
  feed.Start();
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_THAT(recommender::ReplicaReadiness(true, &feed),
              StatusIs(absl::StatusCode::kUnavailable,
                       ::testing::StartsWith("warming: replaying")));
  Scrape(metrics, feed, model);
  EXPECT_EQ(MetricValue(registry, "smartshop_recommender_warming"), 1);
  EXPECT_EQ(
      MetricValue(registry, "smartshop_recommender_builtin_model_caught_up"),
      0);

  held.Release();
  ASSERT_TRUE(feed.WaitUntilCaughtUp(absl::Now() + absl::Seconds(30)));
  EXPECT_THAT(recommender::ReplicaReadiness(true, &feed),
              StatusIs(absl::StatusCode::kOk));
  // No catalog yet is still not ready, whatever the feed says.
  EXPECT_THAT(recommender::ReplicaReadiness(false, &feed),
              StatusIs(absl::StatusCode::kUnavailable));
  Scrape(metrics, feed, model);
  EXPECT_EQ(MetricValue(registry, "smartshop_recommender_warming"), 0);
  EXPECT_EQ(
      MetricValue(registry, "smartshop_recommender_builtin_model_caught_up"),
      1);
  // (Some may come after caught_up when other tests' transactions in the
  // cluster hold the horizon back: those are live, not replayed.)
  EXPECT_GT(feed.replayed_events(), 0);
  EXPECT_EQ(
      MetricValue(registry, "smartshop_recommender_feed_replayed_events_total"),
      feed.replayed_events());
  EXPECT_TRUE(Eventually([&] { return model.events_observed() == kBacklog; },
                         absl::Seconds(30)));
  // A replica that follows no log is never warming.
  EXPECT_THAT(recommender::ReplicaReadiness(true, nullptr),
              StatusIs(absl::StatusCode::kOk));
}

TEST(ReplicaTest, EventsOlderThanTheWindowAreNotSentToTheReplica) {
  TestDatabase db;
  TrackingHarness server(db.url());
  const absl::Time now = absl::Now();
  const absl::Time old = now - absl::Hours(24 * 40);
  TrackAll(server, {ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u1", "", 1, old),
                    ShopperEvent(smartshop::v1::ORDER_PLACED, "u1", "", 2,
                                 old + absl::Minutes(1)),
                    ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u2", "", 3,
                                 now - absl::Hours(2)),
                    ShopperEvent(smartshop::v1::ADD_TO_CART, "u2", "", 4,
                                 now - absl::Hours(1))});
  constexpr absl::Duration kWindow = absl::Hours(24 * 30);
  // A model without a window of its own learns whatever it is sent: only
  // tracking's `since` can keep the old events out of it.
  InteractionModel sent;
  EventFeed feed(ChannelTo(server), &sent, nullptr, {.model_window = kWindow});
  feed.Start();
  ASSERT_TRUE(Eventually([&] { return sent.events_observed() == 2; },
                         absl::Seconds(30)));
  // A marker after them in the log: once it is learnt, everything before it
  // has been delivered, and still only the two recent events were.
  TrackAll(server, {ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u3", "", 5,
                                 now - absl::Minutes(1))});
  ASSERT_TRUE(Eventually([&] { return sent.events_observed() == 3; },
                         absl::Seconds(30)));
  auto reader = sent.Read();
  EXPECT_EQ(reader.Shoppers(1), 0);
  EXPECT_EQ(reader.Shoppers(2), 0);
  EXPECT_EQ(reader.Shoppers(3), 1);
  std::vector<int64_t> ranked;
  for (const auto& [product, popularity] : reader.AllPopularities()) {
    if (popularity > 0) ranked.push_back(product);
  }
  EXPECT_THAT(ranked, ::testing::UnorderedElementsAre(3, 4, 5));
  int neighbours_of_old = 0;
  reader.ForEachNeighbour(1, [&](int64_t, float) { ++neighbours_of_old; });
  EXPECT_EQ(neighbours_of_old, 0);
}

}  // namespace
}  // namespace smartshop::testing
