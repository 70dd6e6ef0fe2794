// The insights ingest through real gRPC on a real Postgres: interactions
// carrying the recommendation they came from (kept through TrackBatch,
// Track, ListInteractions and Subscribe; a malformed one dropped with a
// warning, never the event), served answers and impressions through
// InsightsService, and DeleteUserData erasing them too.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Interaction;

constexpr char kIngestAnswer[] = "9a0e2c1d-5b7f-4e3a-8c6d-0f1e2d3c4b5a";

Interaction AttributedView(const std::string& user, int64_t product,
                           const std::string& recommendation_id, int position) {
  Interaction event = UserView(user, product, absl::Now() - absl::Minutes(5));
  event.set_recommendation_id(recommendation_id);
  event.set_position(position);
  return event;
}

class InsightsIngestIntegrationTest : public ::testing::Test {
 protected:
  // product_id -> (recommendation_id, position) of the user's events.
  std::map<int64_t, std::pair<std::string, int>> Listed(
      const std::string& user) {
    smartshop::v1::ListInteractionsRequest request;
    request.set_user_id(user);
    smartshop::v1::ListInteractionsResponse response;
    grpc::Status status = server_.tracking().ListInteractions(
        TrackingHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<int64_t, std::pair<std::string, int>> out;
    for (const Interaction& e : response.interactions()) {
      out[e.product_id()] = {e.recommendation_id(), e.position()};
    }
    return out;
  }

  TestDatabase db_;
  TrackingHarness server_{db_.url()};
};

TEST_F(InsightsIngestIntegrationTest, InteractionsKeepTheirRecommendation) {
  smartshop::v1::TrackBatchRequest batch;
  *batch.add_interactions() =
      AttributedView("shopper", 1, "9A0E2C1D-5B7F-4E3A-8C6D-0F1E2D3C4B5A", 3);
  *batch.add_interactions() = AttributedView("shopper", 2, "not-a-uuid", 3);
  *batch.add_interactions() = AttributedView("shopper", 3, kIngestAnswer, 1001);
  *batch.add_interactions() = AttributedView("shopper", 4, "", 0);
  smartshop::v1::TrackBatchResponse tracked;
  ASSERT_TRUE(server_.tracking()
                  .TrackBatch(TrackingHarness::Context().get(), batch, &tracked)
                  .ok());
  EXPECT_EQ(tracked.stored(), 4);
  EXPECT_EQ(tracked.rejected(), 0);
  EXPECT_EQ(tracked.results(0).field(), "");
  EXPECT_EQ(tracked.results(1).field(), "recommendation_id");
  EXPECT_EQ(tracked.results(1).error(), "not a UUID; stored without it");
  EXPECT_EQ(tracked.results(2).field(), "position");

  // Unary Track reports the warning too.
  smartshop::v1::TrackRequest one;
  *one.mutable_interaction() = AttributedView("shopper", 5, "{bad}", 2);
  smartshop::v1::TrackResponse response;
  ASSERT_TRUE(server_.tracking()
                  .Track(TrackingHarness::Context().get(), one, &response)
                  .ok());
  EXPECT_EQ(response.outcome(), smartshop::v1::STORED);
  EXPECT_EQ(response.field(), "recommendation_id");
  EXPECT_EQ(response.error(), "not a UUID; stored without it");

  using Attribution = std::pair<std::string, int>;
  const std::map<int64_t, Attribution> expected = {{1, {kIngestAnswer, 3}},
                                                   {2, {"", 0}},
                                                   {3, {kIngestAnswer, 0}},
                                                   {4, {"", 0}},
                                                   {5, {"", 0}}};
  EXPECT_EQ(Listed("shopper"), expected);
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT count(*) FROM interactions WHERE "
                        "recommendation_id IS NULL AND recommendation_position "
                        "IS NULL"),
            "3");

  // The Subscribe log carries them as well.
  smartshop::v1::SubscribeRequest subscribe;
  auto context = TrackingHarness::Context(absl::Seconds(10));
  auto reader = server_.tracking().Subscribe(context.get(), subscribe);
  std::map<int64_t, Attribution> followed;
  smartshop::v1::SubscribeResponse message;
  while (followed.size() < expected.size() && reader->Read(&message)) {
    for (const Interaction& e : message.interactions()) {
      followed[e.product_id()] = {e.recommendation_id(), e.position()};
    }
  }
  context->TryCancel();
  while (reader->Read(&message)) {
  }
  reader->Finish();
  EXPECT_EQ(followed, expected);
}

TEST_F(InsightsIngestIntegrationTest, ServedAndImpressionsThenErasure) {
  const absl::Time now = absl::Now() - absl::Seconds(10);
  smartshop::v1::RecordServedRequest served;
  for (const std::string& user : {"erased", "other"}) {
    auto* s = served.add_served();
    s->set_recommendation_id(user == "erased" ? kIngestAnswer
                                              : "9a0e2c1d-5b7f-4e3a-8c6d-"
                                                "0f1e2d3c4b5b");
    SetTimestamp(now, s->mutable_served_at());
    s->set_user_id(user);
    s->set_placement(smartshop::v1::PLACEMENT_HOME);
    s->set_strategy(smartshop::v1::STRATEGY_MODEL);
    s->add_product_ids(1);
  }
  smartshop::v1::RecordServedResponse recorded;
  ASSERT_TRUE(
      server_.insights()
          .RecordServed(TrackingHarness::Context().get(), served, &recorded)
          .ok());
  EXPECT_EQ(recorded.stored(), 2);
  ASSERT_TRUE(
      server_.insights()
          .RecordServed(TrackingHarness::Context().get(), served, &recorded)
          .ok());
  EXPECT_EQ(recorded.stored(), 0);  // a retried batch

  smartshop::v1::TrackImpressionsRequest shown;
  auto* known = shown.add_impressions();
  known->set_recommendation_id(kIngestAnswer);
  known->set_user_id("erased");
  auto* unknown = shown.add_impressions();
  unknown->set_recommendation_id("9a0e2c1d-5b7f-4e3a-8c6d-0f1e2d3c4b5c");
  unknown->set_user_id("erased");
  unknown->add_positions(1);
  auto* rejected = shown.add_impressions();
  rejected->set_recommendation_id(kIngestAnswer);  // nobody: rejected
  smartshop::v1::TrackImpressionsResponse impressions;
  ASSERT_TRUE(server_.insights()
                  .TrackImpressions(TrackingHarness::Context().get(), shown,
                                    &impressions)
                  .ok());
  EXPECT_EQ(impressions.stored(), 2);
  EXPECT_EQ(impressions.rejected(), 1);
  EXPECT_EQ(impressions.results(2).field(), "user_id");
  EXPECT_EQ(impressions.unknown_recommendation_ids(), 1);
  // Sent again with the ids the server chose: duplicates.
  for (int i = 0; i < 2; ++i) {
    shown.mutable_impressions(i)->set_event_id(
        impressions.results(i).event_id());
  }
  ASSERT_TRUE(server_.insights()
                  .TrackImpressions(TrackingHarness::Context().get(), shown,
                                    &impressions)
                  .ok());
  EXPECT_EQ(impressions.duplicates(), 2);
  EXPECT_EQ(impressions.unknown_recommendation_ids(), 0);

  smartshop::v1::DeleteUserDataRequest erase;
  erase.set_user_id("erased");
  smartshop::v1::DeleteUserDataResponse erased;
  ASSERT_TRUE(
      server_.tracking()
          .DeleteUserData(TrackingHarness::Context().get(), erase, &erased)
          .ok());
  EXPECT_EQ(erased.deleted_served_recommendations(), 1);
  EXPECT_EQ(erased.deleted_impressions(), 2);
  EXPECT_EQ(QueryScalar(db_.url(),
                        "SELECT string_agg(user_id, ',') FROM "
                        "served_recommendations"),
            "other");
  EXPECT_EQ(
      QueryScalar(db_.url(), "SELECT count(*) FROM recommendation_impressions"),
      "0");
  ASSERT_TRUE(
      server_.tracking()
          .DeleteUserData(TrackingHarness::Context().get(), erase, &erased)
          .ok());
  EXPECT_EQ(erased.deleted_served_recommendations(), 0);
  EXPECT_EQ(erased.deleted_impressions(), 0);

  // GetInsights has no reader in this harness: refused, not crashed.
  smartshop::v1::GetInsightsRequest insights;
  SetTimestamp(now - absl::Hours(1), insights.mutable_since());
  SetTimestamp(now + absl::Hours(1), insights.mutable_until());
  smartshop::v1::GetInsightsResponse rows;
  EXPECT_EQ(server_.insights()
                .GetInsights(TrackingHarness::Context().get(), insights, &rows)
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace smartshop::testing
