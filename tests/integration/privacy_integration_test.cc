// Privacy on a real Postgres: erasure of a user's interactions, through the
// tracking service and through the recommender (which also drops the cached
// answer and forgets the user in its model); and the retention job that
// clears IP addresses and user agents of old interactions.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/tracking/pii_retention.h"
#include "tests/integration/recommender_harness.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Interaction;

Interaction View(const std::string& user, int64_t product, absl::Time at) {
  Interaction event = UserView(user, product, at);
  event.set_ip_address("203.0.113.7");
  event.set_user_agent("Mozilla/5.0 (test)");
  return event;
}

void TrackAll(TrackingHarness& server, const std::vector<Interaction>& events) {
  smartshop::v1::TrackBatchRequest request;
  for (const auto& e : events) *request.add_interactions() = e;
  smartshop::v1::TrackBatchResponse response;
  ASSERT_TRUE(
      server.tracking()
          .TrackBatch(TrackingHarness::Context().get(), request, &response)
          .ok());
  ASSERT_EQ(response.stored(), static_cast<int>(events.size()));
}

int64_t ServedCount(const std::string& url, const std::string& user) {
  return std::stoll(QueryScalar(
      url, absl::StrCat("SELECT count(*) FROM served_recommendations WHERE "
                        "user_id = '",
                        user, "'")));
}

int64_t Count(const std::string& url, const std::string& where) {
  return std::stoll(QueryScalar(
      url, absl::StrCat("SELECT count(*) FROM interactions WHERE ", where)));
}

TEST(PrivacyTest, DeleteUserDataErasesOnlyThatUsersInteractions) {
  TestDatabase db;
  TrackingHarness server(db.url());
  const absl::Time now = absl::Now();
  TrackAll(server,
           {View("alice", 1, now), View("alice", 2, now), View("bob", 1, now)});
  smartshop::v1::DeleteUserDataRequest request;
  request.set_user_id("alice");
  smartshop::v1::DeleteUserDataResponse response;
  ASSERT_TRUE(
      server.tracking()
          .DeleteUserData(TrackingHarness::Context().get(), request, &response)
          .ok());
  EXPECT_EQ(response.deleted_interactions(), 2);
  EXPECT_EQ(Count(db.url(), "user_id = 'alice'"), 0);
  EXPECT_EQ(Count(db.url(), "user_id = 'bob'"), 1);
  // Idempotent.
  ASSERT_TRUE(
      server.tracking()
          .DeleteUserData(TrackingHarness::Context().get(), request, &response)
          .ok());
  EXPECT_EQ(response.deleted_interactions(), 0);
  // A bad id is refused.
  request.set_user_id("");
  EXPECT_EQ(
      server.tracking()
          .DeleteUserData(TrackingHarness::Context().get(), request, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(PrivacyTest, RetentionClearsIpAndUserAgentOfOldInteractionsOnly) {
  TestDatabase db;
  TrackingHarness server(db.url());
  const absl::Time now = absl::Now();
  std::vector<Interaction> events;
  for (int i = 0; i < 25; ++i) {
    events.push_back(View("old", i + 1, now - absl::Hours(24 * 100)));
  }
  events.push_back(View("recent", 1, now - absl::Hours(24 * 10)));
  TrackAll(server, events);

  tracking::PgInteractionStore store(&server.pool());
  tracking::PiiRetention retention(
      &store, &store, {.retention = absl::Hours(24 * 90), .batch_size = 10});
  absl::StatusOr<int64_t> cleared = retention.RunOnce();
  ASSERT_TRUE(cleared.ok()) << cleared.status();
  EXPECT_EQ(*cleared, 25);  // in three batches
  EXPECT_EQ(Count(db.url(), "ip_address IS NOT NULL OR user_agent IS NOT NULL"),
            1);
  EXPECT_EQ(Count(db.url(), "user_id = 'recent' AND ip_address IS NOT NULL"),
            1);
  EXPECT_EQ(Count(db.url(), "user_id = 'old'"), 25);  // the events stay
  ASSERT_TRUE(retention.RunOnce().ok());
  EXPECT_EQ(*retention.RunOnce(), 0);
}

TEST(PrivacyTest, RecommenderErasesInteractionsCacheAndModelHistory) {
  RecommenderHarnessOptions options;
  options.use_model = false;
  options.builtin = true;
  RecommenderHarness h(options);
  h.SeedCatalog();
  ASSERT_TRUE(h.feed()->WaitUntilCaughtUp(absl::Now() + absl::Seconds(10)));
  h.Track(smartshop::v1::VIEW_PRODUCT, "carol", 1);
  h.Track(smartshop::v1::VIEW_PRODUCT, "carol", 2);
  h.Track(smartshop::v1::VIEW_PRODUCT, "dave", 3);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (h.model()->events_observed() < 3 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  h.Get("carol");
  const std::string key = absl::StrCat(h.key_prefix(), "carol");
  ASSERT_GT(RedisPttl(h.redis_url(), key), 0);
  // The served log reaches tracking within a batch interval.
  const absl::Time logged_by = absl::Now() + absl::Seconds(10);
  while (ServedCount(h.database_url(), "carol") == 0 &&
         absl::Now() < logged_by) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(ServedCount(h.database_url(), "carol"), 1);

  smartshop::v1::DeleteUserDataRequest request;
  request.set_user_id("carol");
  smartshop::v1::DeleteUserDataResponse response;
  grpc::Status status = h.recommender().DeleteUserData(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.deleted_interactions(), 2);
  EXPECT_EQ(response.deleted_cache_entries(), 1);
  // The served answers go with the interactions, counted through.
  EXPECT_EQ(response.deleted_served_recommendations(), 1);
  EXPECT_EQ(ServedCount(h.database_url(), "carol"), 0);
  EXPECT_EQ(RedisPttl(h.redis_url(), key), -2);
  EXPECT_EQ(Count(h.database_url(), "user_id = 'carol'"), 0);
  EXPECT_EQ(Count(h.database_url(), "user_id = 'dave'"), 1);
  EXPECT_FALSE(h.model()->ForgetActor("u:carol"));  // already forgotten
  EXPECT_TRUE(h.model()->ForgetActor("u:dave"));
}

}  // namespace
}  // namespace smartshop::testing
