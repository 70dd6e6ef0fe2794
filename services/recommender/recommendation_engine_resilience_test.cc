// The engine under slow dependencies and page-render deadlines: waiters
// answer in time while the shared computation goes on, a caller's deadline
// never decides what others get, the model and the computations are
// bounded, and what the cache serves is checked against the catalog.
#include <atomic>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/model/model_budget.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Interaction;
using smartshop::v1::Recommendations;
using ::testing::HasSubstr;

const absl::Time kResilienceNow = absl::FromUnixSeconds(1'800'000'000);
constexpr char kModelReply[] =
    R"j([{"product": "Item 7 (Cat)", "relevance_score": 97, "reason": "r"}])j";

Interaction ResilienceEvent(smartshop::v1::InteractionType type,
                            std::string user, std::string session,
                            int64_t product) {
  Interaction i;
  i.set_user_id(std::move(user));
  i.set_session_key(std::move(session));
  i.set_type(type);
  i.set_product_id(product);
  i.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(kResilienceNow) - 60);
  return i;
}

GetRecommendationsRequest RequestForUser(std::string user) {
  GetRecommendationsRequest r;
  r.set_user_id(std::move(user));
  return r;
}

GetRecommendationsRequest ForSession(std::string session) {
  GetRecommendationsRequest r;
  r.set_session_key(std::move(session));
  return r;
}

template <typename F>
bool Eventually(F done, absl::Duration limit = absl::Seconds(5)) {
  const absl::Time give_up = absl::Now() + limit;
  while (!done()) {
    if (absl::Now() > give_up) return false;
    absl::SleepFor(absl::Milliseconds(2));
  }
  return true;
}

class EngineResilienceTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{kResilienceNow};
  EngineResilienceTest() {
    products_ = testing::SoldItems(12);
    tracking_.SetProducts(products_);
    EXPECT_TRUE(catalog_.Refresh().ok());
    // Shoppers who viewed 1 then 7: the builtin ranker has something.
    for (const char* u : {"a", "b", "c"}) {
      model_.Observe(ResilienceEvent(smartshop::v1::VIEW_PRODUCT, u, "", 1));
      model_.Observe(ResilienceEvent(smartshop::v1::VIEW_PRODUCT, u, "", 7));
    }
    tracking_.SetInteractions(
        {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "", 1)});
    llm_.Reply(kModelReply);
  }

  std::unique_ptr<RecommendationEngine> MakeEngine(
      EngineOptions options = {}, bool builtin = true,
      testing::FakeRecommendationCache* cache = nullptr) {
    return std::make_unique<RecommendationEngine>(
        &tracking_, &catalog_, cache ? cache : &cache_,
        MakeRankerChain(&llm_, *PromptBuilder::Create({}), options,
                        builtin ? &model_ : nullptr, nullptr),
        options, clock_, nullptr, builtin ? &model_ : nullptr);
  }

  // The answer and how long it took.
  std::pair<Recommendations, absl::Duration> Timed(
      RecommendationEngine& engine, const GetRecommendationsRequest& request,
      absl::Duration deadline) {
    const absl::Time start = absl::Now();
    auto answer = engine.Get(request, start + deadline);
    EXPECT_TRUE(answer.ok()) << answer.status();
    return {answer.ok() ? *answer : Recommendations(), absl::Now() - start};
  }

  std::vector<smartshop::v1::Product> products_;
  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(10)};
  testing::FakeLlmClient llm_;
  testing::FakeRecommendationCache cache_;
  InteractionModel model_;
};

TEST_F(EngineResilienceTest,
       AWaiterAnswersBuiltinByItsDeadlineWhileTheModelGoesOn) {
  llm_.SetDelay(absl::Milliseconds(800));
  auto engine = MakeEngine();
  auto [answer, took] =
      Timed(*engine, RequestForUser("z"), absl::Milliseconds(300));
  EXPECT_LT(took, absl::Milliseconds(300));
  EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_THAT(answer.fallback_reason(), HasSubstr("deadline"));
  EXPECT_EQ(answer.items_size(), 8);
  // Not cached: it was this caller's deadline, not a verdict.
  EXPECT_FALSE(cache_.contains("ai_recommended_products_z"));
  // The model call went on by itself and its answer is kept for an hour.
  ASSERT_TRUE(
      Eventually([&] { return cache_.contains("ai_recommended_products_z"); }));
  EXPECT_EQ(cache_.ttl("ai_recommended_products_z"), absl::Hours(1));
  auto [next, unused] =
      Timed(*engine, RequestForUser("z"), absl::Milliseconds(300));
  EXPECT_TRUE(next.cache_hit());
  EXPECT_EQ(next.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(EngineResilienceTest,
       AShortFirstDeadlineNeverDecidesWhatLaterCallersGet) {
  // No builtin ranker: the impatient caller gets top sellers.
  llm_.SetDelay(absl::Milliseconds(500));
  auto engine = MakeEngine({}, /*builtin=*/false);
  auto [first, took] = Timed(*engine, {}, absl::Milliseconds(200));
  EXPECT_LT(took, absl::Milliseconds(200));
  EXPECT_EQ(first.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_EQ(first.items_size(), 8);
  // A patient caller arriving meanwhile shares the same model call.
  auto [second, unused] = Timed(*engine, {}, absl::Seconds(5));
  EXPECT_EQ(second.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_TRUE(second.fallback_reason().empty());
  EXPECT_EQ(cache_.ttl("ai_recommended_products_anonymous"), absl::Hours(1));
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(EngineResilienceTest, AHangingModelOpensTheBreakerWhateverTheDeadlines) {
  llm_.SetDelay(absl::Seconds(30));  // never answers within its timeout
  EngineOptions options;
  options.model_timeout = absl::Milliseconds(100);
  auto engine = MakeEngine(options);
  const int threshold = CircuitBreakerOptions().failure_threshold;
  for (int i = 0; i < threshold; ++i) {
    // Page deadlines shorter than the model timeout, a new user each time.
    auto [answer, took] = Timed(*engine, RequestForUser(absl::StrCat("u", i)),
                                absl::Milliseconds(60));
    EXPECT_LT(took, absl::Milliseconds(60));
    EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  }
  // The timeouts were the model's own: they count, and it is paused.
  absl::SleepFor(absl::Milliseconds(300));  // the calls have timed out
  auto [paused, took] =
      Timed(*engine, RequestForUser("next"), absl::Seconds(1));
  EXPECT_EQ(paused.fallback_reason(), "model: paused after repeated failures");
  EXPECT_LT(took, absl::Milliseconds(100));
  EXPECT_EQ(llm_.requests().size(), static_cast<size_t>(threshold));
}

TEST_F(EngineResilienceTest, PastTheModelBudgetTheBuiltinRankerAnswers) {
  ModelBudget budget({.calls_per_minute_cap = 1}, nullptr, clock_);
  EngineOptions options;
  options.model_budget = &budget;
  auto engine = MakeEngine(options);
  auto [first, took] = Timed(*engine, RequestForUser("a"), absl::Seconds(2));
  EXPECT_EQ(first.strategy(), smartshop::v1::STRATEGY_MODEL);
  auto [second, took2] = Timed(*engine, RequestForUser("b"), absl::Seconds(2));
  EXPECT_EQ(second.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(second.fallback_reason(), "model: budget reached");
  EXPECT_FALSE(second.items().empty());
  // Kept briefly, so that the model is asked again once the cap allows.
  EXPECT_EQ(cache_.ttl("ai_recommended_products_b"), options.short_ttl);
  EXPECT_EQ(llm_.requests().size(), 1u);
  // A refused call is no model call (nor spend on the served answer).
  EXPECT_EQ(engine->stats().model_calls, 1);
  // The next minute the model answers again.
  clock_.AdvanceBy(absl::Minutes(1));
  auto [third, took3] = Timed(*engine, RequestForUser("c"), absl::Seconds(2));
  EXPECT_EQ(third.strategy(), smartshop::v1::STRATEGY_MODEL);
}

TEST_F(EngineResilienceTest, TheBulkheadAnswersAtOnceAndHitsAreNeverRefused) {
  llm_.SetDelay(absl::Milliseconds(500));
  auto engine = MakeEngine({.max_computations = 2});
  // A cached answer for "hit".
  Recommendations cached;
  cached.set_strategy(smartshop::v1::STRATEGY_MODEL);
  *cached.add_items()->mutable_product() = products_[3];
  ASSERT_TRUE(cache_
                  .Set("ai_recommended_products_hit", cached, absl::Hours(1),
                       absl::Now() + absl::Seconds(1))
                  .ok());
  std::vector<std::thread> slow;
  for (const char* user : {"x1", "x2"}) {
    slow.emplace_back(
        [&, user] { Timed(*engine, RequestForUser(user), absl::Seconds(2)); });
  }
  ASSERT_TRUE(Eventually([&] { return llm_.requests().size() == 2; }));
  // Both computations are busy: a third miss is answered at once.
  auto [third, took] = Timed(*engine, RequestForUser("x3"), absl::Seconds(2));
  EXPECT_LT(took, absl::Milliseconds(200));
  EXPECT_EQ(third.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(third.fallback_reason(), "model: too many computations in flight");
  EXPECT_FALSE(cache_.contains("ai_recommended_products_x3"));
  auto [hit, hit_took] =
      Timed(*engine, RequestForUser("hit"), absl::Seconds(2));
  EXPECT_TRUE(hit.cache_hit());
  EXPECT_LT(hit_took, absl::Milliseconds(200));
  for (auto& t : slow) t.join();
  EXPECT_EQ(llm_.requests().size(), 2u);
}

TEST_F(EngineResilienceTest, PastTheWaiterBoundCallersTakeWhatThereIsAtOnce) {
  llm_.SetDelay(absl::Milliseconds(500));
  auto engine = MakeEngine({.max_waiting_callers = 1});
  std::thread patient([&] { Timed(*engine, {}, absl::Seconds(3)); });
  ASSERT_TRUE(Eventually([&] { return llm_.requests().size() == 1; }));
  auto [answer, took] = Timed(*engine, {}, absl::Seconds(3));
  EXPECT_LT(took, absl::Milliseconds(200));
  EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(answer.items_size(), 8);
  patient.join();
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST(EngineFirstCatalogTest, OneLoadAtATimeAndEveryCallerWithinItsDeadline) {
  SimulatedClock clock(kResilienceNow);
  testing::FakeTrackingReader tracking;
  tracking.SetProductsDelay(absl::Seconds(2));
  CatalogRefresher catalog(&tracking, absl::Hours(1), absl::Seconds(10));
  testing::FakeRecommendationCache cache;
  RecommendationEngine engine(
      &tracking, &catalog, &cache,
      MakeRankerChain(nullptr, *PromptBuilder::Create({}), EngineOptions(),
                      nullptr, nullptr),
      EngineOptions(), clock);
  std::vector<std::thread> callers;
  std::atomic<int> in_time{0};
  for (int i = 0; i < 5; ++i) {
    callers.emplace_back([&] {
      const absl::Time start = absl::Now();
      auto answer = engine.Get({}, start + absl::Milliseconds(300));
      if (answer.status().code() == absl::StatusCode::kUnavailable &&
          absl::Now() - start < absl::Milliseconds(400)) {
        ++in_time;
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(in_time.load(), 5);
  EXPECT_EQ(tracking.product_loads(), 1);
}

TEST_F(EngineResilienceTest, SessionsAreRankedBuiltinWithoutModelCalls) {
  auto engine = MakeEngine();
  for (int view = 0; view < 10; ++view) {
    tracking_.SetInteractions(
        {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "s1", 1 + view)});
    engine->OnLiveEvent(
        ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "s1", 1 + view));
    auto [answer, unused] = Timed(*engine, ForSession("s1"), absl::Seconds(2));
    EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_BUILTIN);
    EXPECT_TRUE(answer.fallback_reason().empty());
  }
  for (int s = 0; s < 10; ++s) {
    Timed(*engine, ForSession(absl::StrCat("new-", s)), absl::Seconds(2));
  }
  EXPECT_TRUE(llm_.requests().empty());
  EXPECT_EQ(cache_.ttl("ai_recommended_session_s1"), absl::Minutes(5));
}

TEST_F(EngineResilienceTest, ASessionAllowedTheModelIsHeldToItsInterval) {
  auto engine = MakeEngine({.session_model = true});
  for (int view = 0; view < 10; ++view) {
    tracking_.SetInteractions(
        {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "s1", 1 + view)});
    engine->OnLiveEvent(
        ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "s1", 1 + view));
    auto [answer, unused] = Timed(*engine, ForSession("s1"), absl::Seconds(2));
    EXPECT_EQ(answer.strategy(), view == 0 ? smartshop::v1::STRATEGY_MODEL
                                           : smartshop::v1::STRATEGY_BUILTIN);
  }
  EXPECT_EQ(llm_.requests().size(), 1u);
  // A session's answer lives as long as a session's, model or not.
  engine->OnLiveEvent(
      ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "s2", 1));
  tracking_.SetInteractions(
      {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "", "s2", 1)});
  Timed(*engine, ForSession("s2"), absl::Seconds(2));
  EXPECT_EQ(llm_.requests().size(), 2u);
  EXPECT_EQ(cache_.ttl("ai_recommended_session_s2"), absl::Minutes(5));
}

TEST_F(EngineResilienceTest, AHitIsCheckedAgainstTheCatalogAsItIsNow) {
  auto engine = MakeEngine();
  auto [first, unused] = Timed(*engine, RequestForUser("z"), absl::Seconds(2));
  ASSERT_EQ(first.items_size(), 8);
  const int64_t gone = first.items(0).product().id();
  const int64_t sold_out = first.items(1).product().id();
  for (auto& p : products_) {
    if (p.id() == gone) p.set_is_active(false);
    if (p.id() == sold_out) p.set_stock(0);
  }
  tracking_.SetProducts(products_);
  ASSERT_TRUE(catalog_.Refresh().ok());
  auto [hit, unused2] = Timed(*engine, RequestForUser("z"), absl::Seconds(2));
  EXPECT_TRUE(hit.cache_hit());
  EXPECT_EQ(hit.items_size(), 8);
  for (const auto& item : hit.items()) {
    EXPECT_NE(item.product().id(), gone);
    EXPECT_NE(item.product().id(), sold_out);
  }
}

TEST_F(EngineResilienceTest,
       EventsOfProductsNotYetInTheCatalogStillAskTheModel) {
  tracking_.SetInteractions(
      {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "z", "", 999)});
  auto engine = MakeEngine({}, /*builtin=*/false);
  auto [answer, unused] = Timed(*engine, RequestForUser("z"), absl::Seconds(2));
  EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(EngineResilienceTest, SoldOutPicksAndTopSellersGiveWayToTheNextOnes) {
  // The model picks a sold-out product; the best sellers are sold out too.
  for (auto& p : products_) {
    if (p.id() == 7 || p.id() >= 10) p.set_stock(0);
  }
  tracking_.SetProducts(products_);
  ASSERT_TRUE(catalog_.Refresh().ok());
  auto engine = MakeEngine({}, /*builtin=*/false);
  tracking_.SetInteractions(
      {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "z", "", 1)});
  auto [answer, unused] = Timed(*engine, RequestForUser("z"), absl::Seconds(2));
  // 12 products, 4 sold out: exactly 8 remain, and all 8 are served.
  EXPECT_EQ(answer.items_size(), 8);
  for (const auto& item : answer.items()) {
    EXPECT_FALSE(item.product().has_stock()) << item.product().id();
  }
}

TEST_F(EngineResilienceTest,
       AnErasureOnOneReplicaFencesOffAnotherReplicasAnswer) {
  // Two replicas on one cache: B computes (slow model) while A erases.
  llm_.SetDelay(absl::Milliseconds(300));
  auto replica_a = MakeEngine();
  auto replica_b = MakeEngine();
  tracking_.SetInteractions(
      {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "z", "", 1)});
  std::thread computing(
      [&] { Timed(*replica_b, RequestForUser("z"), absl::Seconds(2)); });
  ASSERT_TRUE(Eventually([&] { return llm_.requests().size() == 1; }));
  smartshop::v1::DeleteUserDataRequest erase;
  erase.set_user_id("z");
  ASSERT_TRUE(
      replica_a->DeleteUserData(erase, absl::Now() + absl::Seconds(1)).ok());
  computing.join();
  // B's answer was built from data read before the erasure: never stored.
  EXPECT_FALSE(cache_.contains("ai_recommended_products_z"));
}

TEST_F(EngineResilienceTest,
       InvalidateAllOnOneReplicaFencesOffEveryComputation) {
  llm_.SetDelay(absl::Milliseconds(300));
  auto replica_a = MakeEngine();
  auto replica_b = MakeEngine();
  std::thread computing([&] { Timed(*replica_b, {}, absl::Seconds(2)); });
  ASSERT_TRUE(Eventually([&] { return llm_.requests().size() == 1; }));
  smartshop::v1::InvalidateRecommendationsRequest all;
  all.set_all(true);
  ASSERT_TRUE(replica_a->Invalidate(all, absl::Now() + absl::Seconds(1)).ok());
  computing.join();
  EXPECT_FALSE(cache_.contains("ai_recommended_products_anonymous"));
}

TEST_F(EngineResilienceTest, AFailedLiveInvalidationIsRetriedUntilItLands) {
  auto engine = MakeEngine();
  tracking_.SetInteractions(
      {ResilienceEvent(smartshop::v1::VIEW_PRODUCT, "z", "", 1)});
  Timed(*engine, RequestForUser("z"), absl::Seconds(2));
  ASSERT_TRUE(cache_.contains("ai_recommended_products_z"));
  cache_.FailWith(absl::UnavailableError("redis away"));
  engine->OnLiveEvent(ResilienceEvent(smartshop::v1::ORDER_PLACED, "z", "", 7));
  EXPECT_EQ(engine->pending_invalidations(), 1u);
  cache_.FailWith(absl::OkStatus());
  ASSERT_TRUE(Eventually(
      [&] { return !cache_.contains("ai_recommended_products_z"); }));
  EXPECT_EQ(engine->pending_invalidations(), 0u);
}

}  // namespace
}  // namespace smartshop::recommender
