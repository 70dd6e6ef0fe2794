#include "services/recommender/recommendation_engine.h"

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/top_sellers.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/recommendation_views.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::ProductIds;

using smartshop::v1::Recommendations;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Property;

const absl::Time kEngineNow = absl::FromUnixSeconds(1'800'000'000);

smartshop::v1::Product EngineProduct(int64_t id, std::string name,
                                     int64_t sold) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name(std::move(name));
  p.set_category_name("Cat");
  p.set_is_active(true);
  p.set_units_sold(sold);
  return p;
}

smartshop::v1::Interaction View(std::string user, int64_t product) {
  smartshop::v1::Interaction i;
  i.set_user_id(std::move(user));
  i.set_type(smartshop::v1::VIEW_PRODUCT);
  i.set_product_id(product);
  return i;
}

std::vector<double> Scores(const Recommendations& r) {
  std::vector<double> scores;
  for (const auto& item : r.items()) scores.push_back(item.relevance_score());
  return scores;
}

class RecommendationEngineTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{kEngineNow};
  RecommendationEngineTest() {
    std::vector<smartshop::v1::Product> products;
    // Product i sold i*10 units: top sellers are 12, 11, 10, ...
    for (int i = 1; i <= 12; ++i) {
      products.push_back(EngineProduct(i, absl::StrCat("Item ", i), i * 10));
    }
    tracking_.SetProducts(products);
    EXPECT_TRUE(catalog_.Refresh().ok());
    llm_.Reply(
        R"j([{"product": "Item 2 (Cat)", "relevance_score": 97, "reason": "You viewed it"},
            {"product": "Item 5 (Cat)", "relevance_score": 91, "reason": "Trending"}])j");
  }

  RecommendationEngine MakeEngine(LlmClient* llm,
                                  EngineOptions options = EngineOptions()) {
    return RecommendationEngine(&tracking_, &catalog_, &cache_,
                                MakeRankerChain(llm, *PromptBuilder::Create({}),
                                                options, nullptr, nullptr),
                                options, clock_);
  }

  Recommendations Get(RecommendationEngine& engine, std::string user,
                      int limit = 0) {
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id(std::move(user));
    request.set_limit(limit);
    auto answer = engine.Get(request, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : Recommendations();
  }

  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(1)};
  testing::FakeLlmClient llm_;
  testing::FakeRecommendationCache cache_;
};

TEST_F(RecommendationEngineTest, NoInteractionsGivesTopSellersScored85) {
  auto engine = MakeEngine(&llm_);
  Recommendations r = Get(engine, "42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_NO_DATA);
  EXPECT_THAT(ProductIds(r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  EXPECT_THAT(Scores(r), Each(85.0));
  EXPECT_THAT(r.items(),
              Each(Property(&smartshop::v1::RecommendationItem::source,
                            smartshop::v1::TOP_SELLERS_NO_DATA)));
  EXPECT_TRUE(llm_.requests().empty());
  EXPECT_EQ(cache_.ttl("ai_recommended_products_42"), absl::Seconds(60));
}

TEST_F(RecommendationEngineTest, ModelPicksThenGapFillScored75) {
  tracking_.SetInteractions({View("42", 2), View("7", 5)});
  auto engine = MakeEngine(&llm_);
  Recommendations r = Get(engine, "42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_FALSE(r.cache_hit());
  EXPECT_EQ(r.generated_at().seconds(), absl::ToUnixSeconds(kEngineNow));
  EXPECT_THAT(ProductIds(r), ElementsAre(2, 5, 12, 11, 10, 9, 8, 7));
  EXPECT_THAT(Scores(r), ElementsAre(97, 91, 75, 75, 75, 75, 75, 75));
  EXPECT_EQ(r.items(0).source(), smartshop::v1::MODEL);
  EXPECT_EQ(r.items(0).reason(), "You viewed it");
  EXPECT_EQ(r.items(0).product().name(), "Item 2");
  EXPECT_EQ(r.items(2).source(), smartshop::v1::GAP_FILL);
  EXPECT_EQ(cache_.ttl("ai_recommended_products_42"), absl::Hours(1));
}

TEST_F(RecommendationEngineTest, LoggedInUserReadsOwnThenOthersLast50) {
  tracking_.SetInteractions({View("7", 5), View("42", 2), View("", 3)});
  auto engine = MakeEngine(&llm_);
  Get(engine, "42");
  auto requests = tracking_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].user_id(), "42");
  EXPECT_EQ(requests[0].limit(), 50);
  EXPECT_THAT(requests[0].types(), ElementsAre(smartshop::v1::VIEW_PRODUCT,
                                               smartshop::v1::ADD_TO_CART,
                                               smartshop::v1::ORDER_PLACED));
  EXPECT_EQ(requests[1].exclude_user_id(), "42");
  EXPECT_EQ(requests[1].limit(), 50);
  // The user's own products lead the summary.
  const std::string prompt = llm_.requests()[0].messages[1].content;
  EXPECT_LT(prompt.find("Item 2 (Cat)"), prompt.find("Item 5 (Cat)"));
  EXPECT_LT(prompt.find("Item 5 (Cat)\": {"), prompt.find("Item 3 (Cat)\": {"));
  EXPECT_THAT(prompt, HasSubstr("this specific user"));
}

TEST_F(RecommendationEngineTest, AnonymousReadsLast100AndSharesOneKey) {
  tracking_.SetInteractions({View("7", 5)});
  auto engine = MakeEngine(&llm_);
  Recommendations first = Get(engine, "");
  auto requests = tracking_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].limit(), 100);
  EXPECT_TRUE(requests[0].user_id().empty());
  EXPECT_TRUE(cache_.contains("ai_recommended_products_anonymous"));
  EXPECT_THAT(llm_.requests()[0].messages[1].content,
              HasSubstr("anonymous visitors"));
  Recommendations second = Get(engine, "");
  EXPECT_TRUE(second.cache_hit());
  EXPECT_EQ(llm_.requests().size(), 1u);
  EXPECT_EQ(ProductIds(second), ProductIds(first));
}

TEST_F(RecommendationEngineTest, LimitTruncatesTheAnswer) {
  auto engine = MakeEngine(&llm_);
  EXPECT_THAT(ProductIds(Get(engine, "", 3)), ElementsAre(12, 11, 10));
  EXPECT_THAT(ProductIds(Get(engine, "", 2)),
              ElementsAre(12, 11));  // from cache
}

struct FailureCase {
  absl::Status status;
  std::string reason;
};

TEST_F(RecommendationEngineTest, EachModelFailureFallsBackToTopSellersAt80) {
  tracking_.SetInteractions({View("42", 2)});
  for (const FailureCase& c :
       {FailureCase{absl::UnavailableError("connection refused"),
                    "model: unavailable"},
        FailureCase{absl::UnauthenticatedError("401"),
                    "model: invalid API key"},
        FailureCase{absl::ResourceExhaustedError("429"), "model: rate limited"},
        FailureCase{absl::DeadlineExceededError("slow"), "model: timed out"},
        FailureCase{absl::DataLossError("html"), "model: unexpected reply"}}) {
    testing::FakeRecommendationCache cache;
    llm_.FailWith(c.status);
    RecommendationEngine engine(
        &tracking_, &catalog_, &cache,
        MakeRankerChain(&llm_, *PromptBuilder::Create({}), EngineOptions(),
                        nullptr, nullptr),
        EngineOptions(), clock_);
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id("42");
    auto r = engine.Get(request, absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->strategy(), smartshop::v1::STRATEGY_FALLBACK);
    EXPECT_EQ(r->fallback_reason(), c.reason);
    EXPECT_THAT(ProductIds(*r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
    EXPECT_THAT(Scores(*r), Each(80.0));
    EXPECT_EQ(r->items(0).source(), smartshop::v1::ERROR_FALLBACK);
    // Cached briefly, never for the hour.
    EXPECT_EQ(cache.ttl("ai_recommended_products_42"), absl::Seconds(60));
  }
}

TEST_F(RecommendationEngineTest, UnparsableReplyFallsBack) {
  tracking_.SetInteractions({View("42", 2)});
  llm_.Reply("Sorry, I can't do that.");
  auto engine = MakeEngine(&llm_);
  Recommendations r = Get(engine, "42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_THAT(r.fallback_reason(), HasSubstr("model reply"));
  EXPECT_THAT(Scores(r), Each(80.0));
}

TEST_F(RecommendationEngineTest, NoMatchingProductsAreGapFilledAt75) {
  tracking_.SetInteractions({View("42", 2)});
  llm_.Reply(R"j([{"product": "Unicorn (Toys)"}, {"product": "Dragon"}])j");
  auto engine = MakeEngine(&llm_);
  Recommendations r = Get(engine, "42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_THAT(ProductIds(r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  EXPECT_THAT(Scores(r), Each(75.0));
}

TEST_F(RecommendationEngineTest, TrackingErrorFallsBack) {
  tracking_.SetInteractions({View("42", 2)});
  auto engine = MakeEngine(&llm_);
  tracking_.FailWith(absl::UnavailableError("tracking down"));
  Recommendations r = Get(engine, "42");  // catalog snapshot still loaded
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_THAT(r.fallback_reason(), HasSubstr("tracking"));
  EXPECT_THAT(Scores(r), Each(80.0));
  EXPECT_EQ(r.items_size(), 8);
}

TEST_F(RecommendationEngineTest, NoModelConfiguredFallsBack) {
  tracking_.SetInteractions({View("42", 2)});
  auto engine = MakeEngine(nullptr);
  Recommendations r = Get(engine, "42");
  EXPECT_EQ(r.fallback_reason(), "model: not configured");
}

TEST_F(RecommendationEngineTest, CacheDownStillAnswers) {
  tracking_.SetInteractions({View("42", 2)});
  cache_.FailWith(absl::UnavailableError("redis down"));
  auto engine = MakeEngine(&llm_);
  Recommendations r = Get(engine, "42");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(engine.stats().cache_errors, 2);  // the get and the set
}

TEST_F(RecommendationEngineTest, ConcurrentMissesForOneKeyCallTheModelOnce) {
  tracking_.SetInteractions({View("7", 5)});
  llm_.SetDelay(absl::Milliseconds(200));
  auto engine = MakeEngine(&llm_, {.max_waiting_callers = 50});
  std::vector<std::thread> callers;
  std::atomic<int> answered{0};
  for (int i = 0; i < 50; ++i) {
    callers.emplace_back([&] {
      smartshop::v1::GetRecommendationsRequest request;
      auto r = engine.Get(request, absl::Now() + absl::Seconds(10));
      if (r.ok() && r->strategy() == smartshop::v1::STRATEGY_MODEL) ++answered;
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(answered.load(), 50);
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(RecommendationEngineTest, RejectsBadArguments) {
  auto engine = MakeEngine(&llm_);
  for (auto spoil : std::vector<
           std::function<void(smartshop::v1::GetRecommendationsRequest&)>>{
           [](auto& r) { r.set_limit(9); }, [](auto& r) { r.set_limit(-1); },
           [](auto& r) { r.set_user_id(std::string(129, 'u')); },
           [](auto& r) { r.set_user_id("anonymous"); },
           [](auto& r) { r.set_session_key(std::string(129, 's')); }}) {
    smartshop::v1::GetRecommendationsRequest request;
    spoil(request);
    EXPECT_EQ(
        engine.Get(request, absl::Now() + absl::Seconds(1)).status().code(),
        absl::StatusCode::kInvalidArgument);
  }
}

TEST_F(RecommendationEngineTest, InvalidatesOneUserAnonymousOrAll) {
  auto engine = MakeEngine(&llm_);
  Get(engine, "1");
  Get(engine, "2");
  Get(engine, "");
  smartshop::v1::InvalidateRecommendationsRequest one;
  one.set_user_id("1");
  EXPECT_EQ(*engine.Invalidate(one, absl::Now() + absl::Seconds(1)), 1);
  EXPECT_FALSE(cache_.contains("ai_recommended_products_1"));
  smartshop::v1::InvalidateRecommendationsRequest anonymous;
  anonymous.set_anonymous(true);
  EXPECT_EQ(*engine.Invalidate(anonymous, absl::Now() + absl::Seconds(1)), 1);
  smartshop::v1::InvalidateRecommendationsRequest all;
  all.set_all(true);
  EXPECT_EQ(*engine.Invalidate(all, absl::Now() + absl::Seconds(1)), 1);
  EXPECT_FALSE(cache_.contains("ai_recommended_products_2"));
  EXPECT_EQ(engine.Invalidate({}, absl::Now()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RecommendationEngineTest, AnErasedUserIsNeverServedFromTheLocalCache) {
  auto engine = MakeEngine(&llm_);
  EXPECT_FALSE(Get(engine, "1").cache_hit());
  EXPECT_TRUE(Get(engine, "1").cache_hit());
  EXPECT_EQ(engine.stats().local_hits, 1);
  smartshop::v1::DeleteUserDataRequest erase;
  erase.set_user_id("1");
  ASSERT_TRUE(
      engine.DeleteUserData(erase, absl::Now() + absl::Seconds(1), "").ok());
  EXPECT_FALSE(Get(engine, "1").cache_hit());
  EXPECT_EQ(engine.stats().local_hits, 1);
}

TEST_F(RecommendationEngineTest, GetIfLocalAnswersOnlyWithoutIo) {
  auto engine = MakeEngine(&llm_);
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id("1");
  EXPECT_FALSE(engine.GetIfLocal(request).has_value());  // needs Redis
  EXPECT_FALSE(Get(engine, "1").cache_hit());
  request.add_exclude_product_ids(2);
  std::optional<absl::StatusOr<Recommendations>> local =
      engine.GetIfLocal(request);
  ASSERT_TRUE(local.has_value());
  ASSERT_TRUE(local->ok()) << local->status();
  EXPECT_TRUE((*local)->cache_hit());
  EXPECT_THAT(ProductIds(**local), Each(::testing::Ne(2)));
  EXPECT_EQ((*local)->items_size(), 8);

  request.set_limit(9);  // a bad request is answered without I/O too
  local = engine.GetIfLocal(request);
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->status().code(), absl::StatusCode::kInvalidArgument);
  smartshop::v1::GetRecommendationsRequest by_category;
  by_category.set_user_id("1");
  by_category.set_category_id(1);  // never cached: always computed
  EXPECT_FALSE(engine.GetIfLocal(by_category).has_value());
}

// The smartshop_recommender_cache_requests_total counter of `result`.
double CacheRequests(prometheus::Registry& registry,
                     const std::string& result) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "smartshop_recommender_cache_requests_total") continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "result" && label.value == result) {
          return metric.counter.value;
        }
      }
    }
  }
  return 0;
}

TEST_F(RecommendationEngineTest, LocalHitsHaveTheirOwnMetricLabel) {
  prometheus::Registry registry;
  RecommenderMetrics metrics(registry);
  EngineOptions options;
  RecommendationEngine engine(&tracking_, &catalog_, &cache_,
                              MakeRankerChain(&llm_, *PromptBuilder::Create({}),
                                              options, nullptr, nullptr),
                              options, clock_, &metrics);
  Get(engine, "1");  // a miss, stored in Redis and here
  Get(engine, "1");
  Get(engine, "1");
  EXPECT_EQ(CacheRequests(registry, "miss"), 1);
  EXPECT_EQ(CacheRequests(registry, "local_hit"), 2);
  EXPECT_EQ(CacheRequests(registry, "hit"), 0);
  clock_.AdvanceBy(options.local_cache.ttl);
  Get(engine, "1");
  EXPECT_EQ(CacheRequests(registry, "hit"), 1);
}

TEST(RecommendationEngineNoCatalogTest, UnavailableUntilTheCatalogLoads) {
  SimulatedClock clock(kEngineNow);
  testing::FakeTrackingReader tracking;
  tracking.FailWith(absl::UnavailableError("down"));
  CatalogRefresher catalog(&tracking, absl::Hours(1), absl::Seconds(1));
  testing::FakeRecommendationCache cache;
  RecommendationEngine engine(
      &tracking, &catalog, &cache,
      MakeRankerChain(nullptr, *PromptBuilder::Create({}), EngineOptions(),
                      nullptr, nullptr),
      EngineOptions(), clock);
  EXPECT_EQ(engine.Get({}, absl::Now() + absl::Seconds(1)).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace smartshop::recommender

namespace smartshop::recommender {
namespace {

// Reuse (model_reply_store.h): an answer that expired is made again from
// the model's reply to the same request, without a call; new data is a
// call.
TEST_F(RecommendationEngineTest, AnExpiredAnswerIsMadeAgainWithoutACall) {
  tracking_.SetInteractions({View("42", 2), View("7", 5)});
  InMemoryModelReplyStore replies(clock_);
  EngineOptions options;
  options.model_replies = &replies;
  auto engine = MakeEngine(&llm_, options);
  const Recommendations first = Get(engine, "42");
  ASSERT_EQ(llm_.requests().size(), 1u);
  // The hour is up: the cached answer is gone; nothing it depends on moved.
  clock_.AdvanceBy(absl::Hours(1));
  ASSERT_TRUE(
      cache_.Delete("ai_recommended_products_42", absl::InfiniteFuture()).ok());
  const Recommendations again = Get(engine, "42");
  EXPECT_FALSE(again.cache_hit());
  EXPECT_EQ(again.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(ProductIds(again), ProductIds(first));
  EXPECT_EQ(again.items(0).reason(), "You viewed it");
  EXPECT_EQ(llm_.requests().size(), 1u);
  // The shopper viewed something else: another prompt, a call. (A minute
  // on: the in-process cache in front of the shared one has let go too.)
  tracking_.SetInteractions({View("42", 9), View("42", 2), View("7", 5)});
  clock_.AdvanceBy(absl::Minutes(1));
  ASSERT_TRUE(
      cache_.Delete("ai_recommended_products_42", absl::InfiniteFuture()).ok());
  Get(engine, "42");
  EXPECT_EQ(llm_.requests().size(), 2u);
  // Off: every computation is a call.
  options.model_answer_reuse = false;
  auto without = MakeEngine(&llm_, options);
  clock_.AdvanceBy(absl::Minutes(1));
  ASSERT_TRUE(
      cache_.Delete("ai_recommended_products_42", absl::InfiniteFuture()).ok());
  Get(without, "42");
  EXPECT_EQ(llm_.requests().size(), 3u);
}

}  // namespace
}  // namespace smartshop::recommender
