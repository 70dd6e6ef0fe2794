#include <thread>

// The engine with the builtin ranker: the default without a model, the
// first fallback when the model fails, sessions, category pages,
// exclusions and recently ordered products.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/recommendation_views.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::ProductIds;

using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Interaction;
using smartshop::v1::Recommendations;
using ::testing::Contains;
using ::testing::Each;
using ::testing::Not;
using ::testing::Property;

const absl::Time kBuiltinNow = absl::FromUnixSeconds(1'800'000'000);

Interaction BuiltinEvent(smartshop::v1::InteractionType type, std::string user,
                         std::string session, int64_t product, absl::Time at) {
  Interaction i;
  i.set_user_id(std::move(user));
  i.set_session_key(std::move(session));
  i.set_type(type);
  i.set_product_id(product);
  i.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(at));
  return i;
}

class BuiltinEngineTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{kBuiltinNow};
  BuiltinEngineTest() {
    std::vector<smartshop::v1::Product> products;
    // 20 products; categories 1..4 of five each; product i sold i units.
    for (int i = 1; i <= 20; ++i) {
      smartshop::v1::Product p;
      p.set_id(i);
      p.set_name(absl::StrCat("Item ", i));
      p.set_category_id(1 + (i - 1) / 5);
      p.set_category_name(absl::StrCat("Cat ", 1 + (i - 1) / 5));
      p.set_is_active(true);
      p.set_units_sold(i);
      products.push_back(p);
    }
    tracking_.SetProducts(products);
    EXPECT_TRUE(catalog_.Refresh().ok());
    // Shoppers a, b, c bought 1 then 7; d, e bought 3 then 14.
    for (const char* u : {"a", "b", "c"}) {
      Learn(smartshop::v1::ORDER_PLACED, u, "", 1,
            kBuiltinNow - absl::Hours(2));
      Learn(smartshop::v1::ORDER_PLACED, u, "", 7,
            kBuiltinNow - absl::Hours(1));
    }
    for (const char* u : {"d", "e"}) {
      Learn(smartshop::v1::VIEW_PRODUCT, u, "", 3,
            kBuiltinNow - absl::Hours(2));
      Learn(smartshop::v1::VIEW_PRODUCT, u, "", 14,
            kBuiltinNow - absl::Hours(1));
    }
  }

  void Learn(smartshop::v1::InteractionType type, std::string user,
             std::string session, int64_t product, absl::Time at) {
    model_.Observe(
        BuiltinEvent(type, std::move(user), std::move(session), product, at));
  }

  RecommendationEngine MakeEngine(LlmClient* llm) {
    return RecommendationEngine(
        &tracking_, &catalog_, &cache_,
        MakeRankerChain(llm, *PromptBuilder::Create({}), EngineOptions(),
                        &model_, nullptr),
        EngineOptions(), clock_, nullptr, &model_);
  }

  Recommendations Get(RecommendationEngine& engine,
                      GetRecommendationsRequest request) {
    auto answer = engine.Get(request, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : Recommendations();
  }

  static GetRecommendationsRequest ForUser(std::string user) {
    GetRecommendationsRequest r;
    r.set_user_id(std::move(user));
    return r;
  }

  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(1)};
  testing::FakeLlmClient llm_;
  testing::FakeRecommendationCache cache_;
  InteractionModel model_;
};

TEST_F(BuiltinEngineTest, WithoutAModelTheBuiltinRankerRanks) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  auto engine = MakeEngine(nullptr);
  Recommendations r = Get(engine, ForUser("z"));
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_TRUE(r.fallback_reason().empty());
  ASSERT_EQ(r.items_size(), 8);
  EXPECT_EQ(r.items(0).product().id(), 7);
  EXPECT_EQ(r.items(0).reason(), "Often bought with Item 1");
  EXPECT_EQ(r.items(0).source(), smartshop::v1::BUILTIN);
  EXPECT_EQ(r.items(0).relevance_score(), 99);
  // Bought within the last 30 days: not recommended again.
  EXPECT_THAT(ProductIds(r), Not(Contains(1)));
  EXPECT_EQ(cache_.ttl("ai_recommended_products_z"), absl::Minutes(10));
}

TEST_F(BuiltinEngineTest, AFailingModelFallsBackToTheBuiltinRanker) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  llm_.FailWith(absl::ResourceExhaustedError("429"));
  auto engine = MakeEngine(&llm_);
  Recommendations r = Get(engine, ForUser("z"));
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(r.fallback_reason(), "model: rate limited");
  EXPECT_EQ(r.items(0).product().id(), 7);
  EXPECT_EQ(cache_.ttl("ai_recommended_products_z"), absl::Seconds(60));
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(BuiltinEngineTest, SessionsArePersonalisedAndCachedPerSession) {
  tracking_.SetInteractions(
      {BuiltinEvent(smartshop::v1::VIEW_PRODUCT, "", "s-1", 3,
                    kBuiltinNow - absl::Minutes(1)),
       BuiltinEvent(smartshop::v1::ORDER_PLACED, "a", "", 1,
                    kBuiltinNow - absl::Minutes(2))});
  auto engine = MakeEngine(nullptr);
  GetRecommendationsRequest request;
  request.set_session_key("s-1");
  Recommendations r = Get(engine, request);
  EXPECT_EQ(r.items(0).product().id(), 14);
  EXPECT_EQ(r.items(0).reason(), "Often viewed with Item 3");
  EXPECT_EQ(cache_.ttl("ai_recommended_session_s-1"), absl::Minutes(5));
  EXPECT_FALSE(cache_.contains("ai_recommended_products_anonymous"));

  // Without a session: the shared anonymous answer, trending only.
  Recommendations anonymous = Get(engine, GetRecommendationsRequest());
  EXPECT_THAT(anonymous.items(),
              Each(Property(&smartshop::v1::RecommendationItem::reason,
                            Not(::testing::StartsWith("Often")))));
  EXPECT_TRUE(cache_.contains("ai_recommended_products_anonymous"));

  smartshop::v1::InvalidateRecommendationsRequest invalidate;
  invalidate.set_session_key("s-1");
  auto deleted = engine.Invalidate(invalidate, absl::Now() + absl::Seconds(1));
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
}

TEST_F(BuiltinEngineTest, CategoryPagesHoldOnlyThatCategoryAndAreNotCached) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  llm_.Reply("[]");
  auto engine = MakeEngine(&llm_);
  GetRecommendationsRequest request = ForUser("z");
  request.set_category_id(3);
  Recommendations r = Get(engine, request);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  ASSERT_EQ(r.items_size(), 5);  // the whole category
  EXPECT_THAT(
      r.items(),
      Each(Property(&smartshop::v1::RecommendationItem::product,
                    Property(&smartshop::v1::Product::category_id, 3))));
  EXPECT_TRUE(llm_.requests().empty());  // no model call for a category
  EXPECT_FALSE(cache_.contains("ai_recommended_products_z"));
}

TEST_F(BuiltinEngineTest, ExcludedProductsNeverComeBackEvenFromTheCache) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  auto engine = MakeEngine(nullptr);
  GetRecommendationsRequest request = ForUser("z");
  request.add_exclude_product_ids(7);
  request.add_exclude_product_ids(20);
  for (int round = 0; round < 2; ++round) {
    Recommendations r = Get(engine, request);
    EXPECT_EQ(r.cache_hit(), round == 1);
    EXPECT_EQ(r.items_size(), 8);
    EXPECT_THAT(ProductIds(r), Not(Contains(7)));
    EXPECT_THAT(ProductIds(r), Not(Contains(20)));
  }
  // The cached answer itself still holds 7 for requests without exclusions.
  EXPECT_EQ(Get(engine, ForUser("z")).items(0).product().id(), 7);
}

TEST_F(BuiltinEngineTest, RefusesBadFilters) {
  auto engine = MakeEngine(nullptr);
  GetRecommendationsRequest negative = ForUser("z");
  negative.set_category_id(-1);
  EXPECT_EQ(
      engine.Get(negative, absl::Now() + absl::Seconds(1)).status().code(),
      absl::StatusCode::kInvalidArgument);
  GetRecommendationsRequest bad_id = ForUser("z");
  bad_id.add_exclude_product_ids(0);
  EXPECT_EQ(engine.Get(bad_id, absl::Now() + absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  GetRecommendationsRequest too_many = ForUser("z");
  for (int i = 1; i <= 101; ++i) too_many.add_exclude_product_ids(i);
  EXPECT_EQ(
      engine.Get(too_many, absl::Now() + absl::Seconds(1)).status().code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(BuiltinEngineTest, HybridPromptShowsCandidatesAndMapsAnswersById) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  llm_.Reply(R"j([{"product_id": 14, "relevance_score": 93, "reason": "Fits"},
                  {"product_id": 999, "relevance_score": 90, "reason": "?"},
                  {"product_id": 7, "relevance_score": 88, "reason": "Pair"}])j");
  EngineOptions options;
  options.hybrid_prompt = true;
  RecommendationEngine engine(&tracking_, &catalog_, &cache_,
                              MakeRankerChain(&llm_, *PromptBuilder::Create({}),
                                              options, &model_, nullptr),
                              options, clock_, nullptr, &model_);
  Recommendations r = Get(engine, ForUser("z"));
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  ASSERT_GE(r.items_size(), 2);
  EXPECT_EQ(r.items(0).product().id(), 14);
  EXPECT_EQ(r.items(0).reason(), "Fits");
  EXPECT_EQ(r.items(1).product().id(), 7);  // 999 was never shown: dropped
  // The candidates it did not name follow, the builtin's, before top sellers.
  ASSERT_GE(r.items_size(), 3);
  EXPECT_EQ(r.items(2).source(), smartshop::v1::BUILTIN);
  ASSERT_EQ(llm_.requests().size(), 1u);
  const std::string prompt = llm_.requests()[0].messages[1].content;
  EXPECT_THAT(prompt, ::testing::HasSubstr(
                          R"j("product_id":7,"product":"Item 7 (Cat 2)")j"));
  EXPECT_THAT(prompt, ::testing::HasSubstr("Often bought with Item 1"));
  // Not the original prompt's first 50 catalog products.
  EXPECT_THAT(prompt,
              Not(::testing::HasSubstr("Available Products in Catalog")));
}

TEST_F(BuiltinEngineTest, WhatTheUserOrderedRecentlyIsNotRecommendedAgain) {
  // Shoppers who view 2 buy 7. User z viewed 2 fifty times since ordering 7
  // twenty days ago: the order is outside the 50-event window.
  for (const char* u : {"p", "q", "r"}) {
    Learn(smartshop::v1::VIEW_PRODUCT, u, "", 2, kBuiltinNow - absl::Hours(3));
    Learn(smartshop::v1::ORDER_PLACED, u, "", 7, kBuiltinNow - absl::Hours(2));
  }
  std::vector<Interaction> history;
  for (int i = 0; i < 50; ++i) {
    history.push_back(BuiltinEvent(smartshop::v1::VIEW_PRODUCT, "z", "", 2,
                                   kBuiltinNow - absl::Minutes(i + 1)));
  }
  history.push_back(BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "", 7,
                                 kBuiltinNow - absl::Hours(24 * 20)));
  tracking_.SetInteractions(history);

  auto engine = MakeEngine(nullptr);  // the rule: 30 days
  EXPECT_THAT(ProductIds(Get(engine, ForUser("z"))), Not(Contains(7)));

  EngineOptions ten_days;
  ten_days.recently_ordered = absl::Hours(24 * 10);
  testing::FakeRecommendationCache other_cache;
  RecommendationEngine lenient(
      &tracking_, &catalog_, &other_cache,
      MakeRankerChain(nullptr, *PromptBuilder::Create({}), ten_days, &model_,
                      nullptr),
      ten_days, clock_, nullptr, &model_);
  Recommendations r = Get(lenient, ForUser("z"));
  ASSERT_GT(r.items_size(), 0);
  EXPECT_EQ(r.items(0).product().id(), 7);
}

TEST_F(BuiltinEngineTest, ADeadModelIsPausedAndCostsNoMoreCalls) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  llm_.FailWith(absl::UnavailableError("connection reset"));
  auto engine = MakeEngine(&llm_);
  const int threshold = CircuitBreakerOptions().failure_threshold;
  for (int i = 0; i < threshold + 3; ++i) {
    // A new user each time: every request misses the cache.
    tracking_.SetInteractions(
        {BuiltinEvent(smartshop::v1::ORDER_PLACED, absl::StrCat("user-", i), "",
                      1, kBuiltinNow - absl::Minutes(5))});
    Recommendations r = Get(engine, ForUser(absl::StrCat("user-", i)));
    EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
    EXPECT_EQ(r.fallback_reason(),
              i < threshold ? "model: unavailable"
                            : "model: paused after repeated failures");
  }
  EXPECT_EQ(llm_.requests().size(), static_cast<size_t>(threshold));
}

TEST_F(BuiltinEngineTest, AnOrderDuringTheComputationKeepsItsAnswerUncached) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::VIEW_PRODUCT, "z", "",
                                          1, kBuiltinNow - absl::Minutes(5))});
  llm_.Reply(
      R"([{"product": "Item 7", "relevance_score": 90, "reason": "r"}])");
  llm_.SetDelay(absl::Milliseconds(300));
  auto engine = MakeEngine(&llm_);
  std::thread order([&] {
    absl::SleepFor(absl::Milliseconds(100));  // while the model thinks
    engine.OnLiveEvent(
        BuiltinEvent(smartshop::v1::ORDER_PLACED, "z", "", 7, kBuiltinNow));
  });
  Recommendations r = Get(engine, ForUser("z"));
  order.join();
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  // Computed from data read before the order: served once, never cached.
  EXPECT_FALSE(cache_.contains("ai_recommended_products_z"));
  EXPECT_FALSE(Get(engine, ForUser("z")).cache_hit());
}

}  // namespace
}  // namespace smartshop::recommender

namespace smartshop::recommender {
namespace {

// --new_users_share_anonymous: a user the builtin model knows no event of
// gets the anonymous visitors' answer (one model call for all of them); a
// user it knows gets their own.
TEST_F(BuiltinEngineTest, NewUsersShareTheAnonymousAnswer) {
  tracking_.SetInteractions({BuiltinEvent(smartshop::v1::ORDER_PLACED, "a", "",
                                          1, kBuiltinNow - absl::Hours(2))});
  llm_.Reply(R"j([{"product": "Item 7 (Cat 2)", "relevance_score": 90}])j");
  EngineOptions options;
  options.new_users_share_anonymous = true;
  RecommendationEngine engine(&tracking_, &catalog_, &cache_,
                              MakeRankerChain(&llm_, *PromptBuilder::Create({}),
                                              options, &model_, nullptr),
                              options, clock_, nullptr, &model_);
  const Recommendations anonymous = Get(engine, GetRecommendationsRequest());
  ASSERT_EQ(llm_.requests().size(), 1u);
  for (const char* newcomer : {"n1", "n2", "n3"}) {
    const Recommendations r = Get(engine, ForUser(newcomer));
    EXPECT_TRUE(r.cache_hit()) << newcomer;
    EXPECT_EQ(ProductIds(r), ProductIds(anonymous)) << newcomer;
  }
  EXPECT_EQ(llm_.requests().size(), 1u);
  EXPECT_FALSE(cache_.contains("ai_recommended_products_n1"));
  // Known to the model: their own answer (and a call).
  Get(engine, ForUser("a"));
  EXPECT_EQ(llm_.requests().size(), 2u);
  EXPECT_GT(cache_.ttl("ai_recommended_products_a"), absl::ZeroDuration());
  // A newcomer's first event: their own answer from then on.
  Learn(smartshop::v1::VIEW_PRODUCT, "n1", "", 3, kBuiltinNow);
  Get(engine, ForUser("n1"));
  EXPECT_EQ(llm_.requests().size(), 3u);
}

}  // namespace
}  // namespace smartshop::recommender
