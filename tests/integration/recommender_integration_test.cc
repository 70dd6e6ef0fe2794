// The recommender end to end: real Postgres (through the tracking service),
// real Redis, the fake OpenAI over HTTPS. Each step of the original
// algorithm and each of its error scenarios, with exact scores and sources.
#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/recommender_harness.h"
#include "tests/testing/private_redis.h"
#include "tests/testing/recommendation_views.h"
#include "tools/fake_openai/fake_reply.h"

namespace smartshop::testing {
namespace {

using fake_openai::FakeRecommendation;
using fake_openai::FakeReply;
using smartshop::v1::Recommendations;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<double> Scores(const Recommendations& r) {
  std::vector<double> scores;
  for (const auto& item : r.items()) scores.push_back(item.relevance_score());
  return scores;
}

std::vector<smartshop::v1::RecommendationSource> Sources(
    const Recommendations& r) {
  std::vector<smartshop::v1::RecommendationSource> sources;
  for (const auto& item : r.items()) sources.push_back(item.source());
  return sources;
}

std::string ModelAnswer() {
  return fake_openai::RecommendationsJson(
      {{"Product 3 (Kitchen)", 96, "You keep coming back to it"},
       {"Product 4 (Garden)", 88.5, "Often bought with Product 3"}});
}

class RecommenderIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.SeedCatalog();
    h_.fake().SetDefaultReply(FakeReply::Completion(ModelAnswer()));
  }

  // Top sellers are 12, 11, ..., by units_sold = 10 * id.
  RecommenderHarness h_;
};

TEST_F(RecommenderIntegrationTest, ModelRankedThenGapFilledThenCached) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h_.Track(smartshop::v1::ADD_TO_CART, "42", 3);
  h_.Track(smartshop::v1::ORDER_PLACED, "7", 4);
  Recommendations r = h_.Get("42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_FALSE(r.cache_hit());
  EXPECT_THAT(ProductIds(r), ElementsAre(3, 4, 12, 11, 10, 9, 8, 7));
  EXPECT_THAT(Scores(r), ElementsAre(96, 88.5, 75, 75, 75, 75, 75, 75));
  EXPECT_EQ(r.items(0).reason(), "You keep coming back to it");
  EXPECT_EQ(r.items(0).product().category_name(), "Kitchen");
  EXPECT_EQ(r.items(0).source(), smartshop::v1::MODEL);
  EXPECT_EQ(r.items(2).source(), smartshop::v1::GAP_FILL);

  // What the model was sent.
  ASSERT_EQ(h_.fake().request_count(), 1);
  const auto request = h_.fake().requests()[0];
  EXPECT_EQ(request.Header("Authorization"), "Bearer sk-test-fake-key-123");
  const auto& body = request.json.as_object();
  EXPECT_EQ(body.at("model").as_string(), "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(body.at("temperature").to_number<double>(), 0.7);
  EXPECT_EQ(body.at("max_tokens").to_number<int>(), 1000);
  const auto& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("content").as_string(),
            "You are an expert e-commerce product recommendation engine. "
            "Always return valid JSON.");
  const std::string prompt(messages[1].at("content").as_string());
  EXPECT_THAT(prompt, HasSubstr("this specific user"));
  EXPECT_THAT(prompt,
              HasSubstr("\"Product 3 (Kitchen)\": {\"views\":1,\"cart_adds\":1,"
                        "\"purchases\":0,\"product_id\":3}"));
  EXPECT_THAT(prompt, HasSubstr("\"Product 4 (Garden)\": {\"views\":0,"
                                "\"cart_adds\":0,\"purchases\":1"));
  EXPECT_THAT(prompt, HasSubstr("\"Product 12 (Garden)\""));

  // Cached for the hour under the original key; the model is not asked
  // again.
  const int64_t pttl = RedisPttl(h_.redis_url(), h_.key_prefix() + "42");
  EXPECT_GT(pttl, 3'590'000);
  EXPECT_LE(pttl, 3'600'000);
  Recommendations again = h_.Get("42");
  EXPECT_TRUE(again.cache_hit());
  EXPECT_EQ(ProductIds(again), ProductIds(r));
  EXPECT_EQ(h_.fake().request_count(), 1);
}

TEST_F(RecommenderIntegrationTest, AnonymousVisitorsShareOneAnswer) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "", 3);
  Recommendations first = h_.Get("");
  EXPECT_EQ(first.strategy(), smartshop::v1::STRATEGY_MODEL);
  const std::string prompt(h_.fake()
                               .requests()[0]
                               .json.at("messages")
                               .as_array()[1]
                               .at("content")
                               .as_string());
  EXPECT_THAT(prompt, HasSubstr("anonymous visitors"));
  EXPECT_GT(RedisPttl(h_.redis_url(), h_.key_prefix() + "anonymous"), 0);
  EXPECT_TRUE(h_.Get("").cache_hit());
  EXPECT_EQ(h_.fake().request_count(), 1);
}

TEST_F(RecommenderIntegrationTest, NoInteractionsGivesTopSellersAt85) {
  Recommendations r = h_.Get("new-user");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_NO_DATA);
  EXPECT_THAT(ProductIds(r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  EXPECT_THAT(Scores(r), Each(85.0));
  EXPECT_THAT(Sources(r), Each(smartshop::v1::TOP_SELLERS_NO_DATA));
  EXPECT_EQ(h_.fake().request_count(), 0);
}

struct ErrorScenario {
  std::string name;
  FakeReply reply;
  std::string reason;
};

TEST_F(RecommenderIntegrationTest, EveryModelErrorFallsBackAt80Briefly) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  for (const ErrorScenario& s :
       {ErrorScenario{"api failure", FakeReply::Error(500),
                      "model: unavailable"},
        ErrorScenario{"invalid key", FakeReply::Error(401),
                      "model: invalid API key"},
        ErrorScenario{"rate limited", FakeReply::RateLimited(120),
                      "model: rate limited"},
        ErrorScenario{"not json", FakeReply::NotJson(),
                      "model: unexpected reply"},
        ErrorScenario{"garbage content",
                      FakeReply::Completion("I'd rather talk about cats."),
                      "model reply: model reply holds no JSON"}}) {
    SCOPED_TRACE(s.name);
    h_.fake().SetDefaultReply(s.reply);
    smartshop::v1::InvalidateRecommendationsRequest all;
    all.set_all(true);
    smartshop::v1::InvalidateRecommendationsResponse deleted;
    ASSERT_TRUE(h_.recommender()
                    .InvalidateRecommendations(TrackingHarness::Context().get(),
                                               all, &deleted)
                    .ok());
    Recommendations r = h_.Get("42");
    EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_FALLBACK);
    EXPECT_EQ(r.fallback_reason(), s.reason);
    EXPECT_THAT(ProductIds(r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
    EXPECT_THAT(Scores(r), Each(80.0));
    EXPECT_THAT(Sources(r), Each(smartshop::v1::ERROR_FALLBACK));
    const int64_t pttl = RedisPttl(h_.redis_url(), h_.key_prefix() + "42");
    EXPECT_GT(pttl, 0);
    EXPECT_LE(pttl, 60'000);  // never the full hour
  }
}

TEST_F(RecommenderIntegrationTest, FencedAndProseRepliesAreUnderstood) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h_.fake().EnqueueReply(
      FakeReply::Completion(fake_openai::InMarkdownFence(ModelAnswer())));
  EXPECT_THAT(ProductIds(h_.Get("42")), ElementsAre(3, 4, 12, 11, 10, 9, 8, 7));
  h_.fake().EnqueueReply(
      FakeReply::Completion(fake_openai::WithProse(ModelAnswer())));
  EXPECT_THAT(ProductIds(h_.Get("43")), ElementsAre(3, 4, 12, 11, 10, 9, 8, 7));
}

TEST_F(RecommenderIntegrationTest, UnknownAndDuplicateNamesAreGapFilledAt75) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h_.fake().SetDefaultReply(FakeReply::Completion(
      fake_openai::RecommendationsJson({{"Flying Carpet (Magic)", 99, "x"},
                                        {"Product 5 (Kitchen)", 90, "y"},
                                        {"product 5 (kitchen)", 89, "dup"}})));
  Recommendations r = h_.Get("42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_THAT(ProductIds(r), ElementsAre(5, 12, 11, 10, 9, 8, 7, 6));
  EXPECT_THAT(Scores(r), ElementsAre(90, 75, 75, 75, 75, 75, 75, 75));
}

TEST_F(RecommenderIntegrationTest, TrackingDownAnswersFromTheSnapshot) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h_.StopTracking();
  Recommendations r = h_.Get("42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_THAT(r.fallback_reason(), HasSubstr("tracking"));
  EXPECT_THAT(ProductIds(r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  EXPECT_THAT(Scores(r), Each(80.0));
}

TEST_F(RecommenderIntegrationTest, ErrorResultsExpireQuickly) {
  // A harness whose short TTL is one second.
  RecommenderHarnessOptions options;
  options.engine.short_ttl = absl::Seconds(1);
  RecommenderHarness h(options);
  h.SeedCatalog();
  h.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h.fake().SetDefaultReply(FakeReply::Error(503));
  EXPECT_EQ(h.Get("42").strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_EQ(h.Get("42").cache_hit(), true);
  absl::SleepFor(absl::Milliseconds(1300));
  h.fake().SetDefaultReply(FakeReply::Completion(ModelAnswer()));
  Recommendations r = h.Get("42");
  EXPECT_FALSE(r.cache_hit());
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
}

TEST(RecommenderSharedMissTest, FiftyConcurrentMissesMakeOneModelCall) {
  // Room for all fifty to wait (by default half the server threads may).
  RecommenderHarness h({.engine = {.max_waiting_callers = 50}});
  h.SeedCatalog();
  h.Track(smartshop::v1::VIEW_PRODUCT, "", 3);
  FakeReply slow = FakeReply::Completion(ModelAnswer());
  slow.delay = absl::Milliseconds(300);
  h.fake().SetDefaultReply(slow);
  std::vector<std::thread> callers;
  std::atomic<int> model_answers{0};
  for (int i = 0; i < 50; ++i) {
    callers.emplace_back([&] {
      if (h.Get("").strategy() == smartshop::v1::STRATEGY_MODEL) {
        ++model_answers;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(model_answers.load(), 50);
  EXPECT_EQ(h.fake().request_count(), 1);
}

TEST_F(RecommenderIntegrationTest, AHangingModelCostsNoMoreThanTheDeadline) {
  h_.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h_.fake().SetDefaultReply(FakeReply::Hang(absl::Seconds(30)));
  const absl::Time start = absl::Now();
  Recommendations r = h_.Get("42", absl::Seconds(2));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // No builtin ranker here: top sellers for this caller, while the model
  // call goes on for the next ones.
  EXPECT_EQ(r.fallback_reason(),
            "model: no answer within this call's deadline (it goes on for the "
            "next callers)");
  EXPECT_THAT(Scores(r), Each(80.0));
}

TEST(RecommenderTlsTest, AnUntrustedCertificateIsAnApiFailureNeverSent) {
  RecommenderHarnessOptions options;
  options.trust_fake = false;
  RecommenderHarness h(options);
  h.SeedCatalog();
  h.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  Recommendations r = h.Get("42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_EQ(r.fallback_reason(), "model: unavailable");
  EXPECT_EQ(h.fake().request_count(), 0);
  EXPECT_TRUE(h.fake().WaitForFailedHandshakes(1, absl::Seconds(10)));
}

TEST(RecommenderRedisOutageTest, AnswersWhileRedisIsDownAndCachesAfter) {
  PrivateRedis redis;
  ASSERT_TRUE(redis.Start());
  RecommenderHarnessOptions options;
  options.redis_url = redis.url();
  // What Redis's absence does, without the in-process copy in front.
  options.engine.local_cache.ttl = absl::ZeroDuration();
  RecommenderHarness h(options);
  h.SeedCatalog();
  h.Track(smartshop::v1::VIEW_PRODUCT, "42", 3);
  h.fake().SetDefaultReply(FakeReply::Completion(ModelAnswer()));
  EXPECT_EQ(h.Get("42").strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_TRUE(h.Get("42").cache_hit());

  redis.Stop();
  for (int i = 0; i < 5; ++i) {
    Recommendations r = h.Get("42");
    EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
    EXPECT_FALSE(r.cache_hit());
  }

  redis.Start();
  absl::SleepFor(absl::Milliseconds(600));  // past the reconnect backoff
  EXPECT_FALSE(h.Get("42").cache_hit());    // recomputed and stored again
  EXPECT_TRUE(h.Get("42").cache_hit());
}

}  // namespace
}  // namespace smartshop::testing
