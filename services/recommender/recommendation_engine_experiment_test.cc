// Experiments in the engine: the variant a shopper is assigned ranks their
// answer, has its own cache entry and lifetime, is named on the answer and
// in the served log; the holdout is answered as without an experiment.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/experiments/assignment.h"
#include "services/recommender/experiments/experiment_config.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/recommendation_views.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Recommendations;
using ::testing::ElementsAre;

// The engine's clock: 2027-01-15; the experiment runs from 2026-12-01.
const absl::Time kExperimentNow = absl::FromUnixSeconds(1'800'000'000);

constexpr char kHomeExperiment[] = R"pb(
  experiments {
    name: "home-test"
    placements: PLACEMENT_HOME
    variants {
      name: "model"
      weight: 1
      ranker: VARIANT_RANKER_MODEL
      cache_ttl { seconds: 120 }
    }
    variants {
      name: "top"
      weight: 1
      ranker: VARIANT_RANKER_TOP_SELLERS
      cache_ttl { seconds: 600 }
    }
    holdout: 0.2
    start { seconds: 1796083200 }
    stop { seconds: 1900000000 }
  }
)pb";

smartshop::v1::Interaction ExperimentTestEvent(
    std::string user, int64_t product,
    smartshop::v1::InteractionType type = smartshop::v1::VIEW_PRODUCT) {
  smartshop::v1::Interaction i;
  i.set_user_id(std::move(user));
  i.set_type(type);
  i.set_product_id(product);
  return i;
}

class EngineExperimentTest : public ::testing::Test {
 protected:
  EngineExperimentTest() {
    tracking_.SetProducts(testing::SoldItems(12));
    EXPECT_TRUE(catalog_.Refresh().ok());
    llm_.Reply(
        R"j([{"product": "Item 2 (Cat)", "relevance_score": 97, "reason": "Viewed"}])j");
    auto config = experiments::ParseExperimentsConfig(kHomeExperiment);
    EXPECT_TRUE(config.ok()) << config.status();
    auto set = experiments::ExperimentSet::Create(*config);
    EXPECT_TRUE(set.ok()) << set.status();
    experiments_ = std::make_shared<experiments::ExperimentSet>(*set);
  }

  // A user the experiment puts in `variant` ("holdout" included).
  std::string UserIn(absl::string_view variant) {
    const smartshop::v1::Experiment& experiment =
        experiments_->config().experiments(0);
    for (int i = 0;; ++i) {
      std::string user = absl::StrCat("user-", i);
      if (experiments::Assign(experiment, absl::StrCat("u:", user)).variant ==
          variant) {
        tracking_.SetInteractions(
            {ExperimentTestEvent(user, 2), ExperimentTestEvent("other", 5)});
        return user;
      }
    }
  }

  std::unique_ptr<RecommendationEngine> MakeEngine() {
    EngineOptions options;
    auto engine = std::make_unique<RecommendationEngine>(
        &tracking_, &catalog_, &cache_,
        MakeRankerChain(&llm_, *PromptBuilder::Create({}), options, nullptr,
                        nullptr),
        options, clock_);
    engine->set_experiments(experiments_,
                            MakeVariantChains(&llm_, *PromptBuilder::Create({}),
                                              options, nullptr, nullptr));
    return engine;
  }

  Recommendations Get(RecommendationEngine& engine, const std::string& user) {
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id(user);
    auto answer = engine.Get(request, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : Recommendations();
  }

  SimulatedClock clock_{kExperimentNow};
  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(1)};
  testing::FakeLlmClient llm_;
  testing::FakeRecommendationCache cache_;
  std::shared_ptr<const experiments::ExperimentSet> experiments_;
};

TEST_F(EngineExperimentTest, TheModelVariantRanksWithTheModelInItsOwnEntry) {
  const std::string user = UserIn("model");
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, user);
  EXPECT_EQ(r.experiment(), "home-test");
  EXPECT_EQ(r.variant(), "model");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(llm_.requests().size(), 1u);
  // Its own key, with the variant's lifetime; the plain key is untouched.
  const std::string key =
      absl::StrCat("ai_recommended_experiment_home-test:model:u:", user);
  EXPECT_EQ(cache_.ttl(key), absl::Seconds(120));
  EXPECT_FALSE(cache_.contains(absl::StrCat("ai_recommended_products_", user)));
  // The hit comes from that entry and still names the variant.
  const Recommendations hit = Get(*engine, user);
  EXPECT_TRUE(hit.cache_hit());
  EXPECT_EQ(hit.variant(), "model");
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(EngineExperimentTest, TheTopSellersVariantCallsNoModel) {
  const std::string user = UserIn("top");
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, user);
  EXPECT_EQ(r.variant(), "top");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_TOP_SELLERS);
  EXPECT_THAT(testing::ProductIds(r), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  EXPECT_EQ(r.items(0).source(), smartshop::v1::TOP_SELLER);
  EXPECT_TRUE(llm_.requests().empty());
}

TEST_F(EngineExperimentTest, TheHoldoutIsAnsweredAsWithoutAnExperiment) {
  const std::string user = UserIn("holdout");
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, user);
  EXPECT_EQ(r.experiment(), "home-test");
  EXPECT_EQ(r.variant(), "holdout");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);  // the default
  EXPECT_EQ(cache_.ttl(absl::StrCat("ai_recommended_products_", user)),
            absl::Hours(1));
}

TEST_F(EngineExperimentTest, DropsReachTheVariantsEntry) {
  const std::string user = UserIn("model");
  auto engine = MakeEngine();
  Get(*engine, user);
  const std::string key =
      absl::StrCat("ai_recommended_experiment_home-test:model:u:", user);
  ASSERT_TRUE(cache_.contains(key));
  // A cart change drops it, as it drops the plain entry.
  engine->OnLiveEvent(ExperimentTestEvent(user, 3, smartshop::v1::ADD_TO_CART));
  EXPECT_FALSE(cache_.contains(key));
  // So does an invalidation of the user.
  Get(*engine, user);
  ASSERT_TRUE(cache_.contains(key));
  smartshop::v1::InvalidateRecommendationsRequest invalidate;
  invalidate.set_user_id(user);
  auto deleted = engine->Invalidate(invalidate, absl::Now() + absl::Seconds(1));
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_FALSE(cache_.contains(key));
}

TEST_F(EngineExperimentTest, WhileWarmingAVariantsTtlGivesWayToTheShortOne) {
  const std::string user = UserIn("top");
  const std::string key =
      absl::StrCat("ai_recommended_experiment_home-test:top:u:", user);
  auto engine = MakeEngine();
  engine->set_builtin_ready(false);  // a builtin-kind answer: brief
  Get(*engine, user);
  EXPECT_EQ(cache_.ttl(key), absl::Seconds(60));
  engine->set_builtin_ready(true);
  smartshop::v1::InvalidateRecommendationsRequest invalidate;
  invalidate.set_user_id(user);
  ASSERT_TRUE(
      engine->Invalidate(invalidate, absl::Now() + absl::Seconds(1)).ok());
  Get(*engine, user);
  EXPECT_EQ(cache_.ttl(key), absl::Seconds(600));
}

TEST_F(EngineExperimentTest, AnErasureDropsEveryVariantsEntry) {
  const std::string user = UserIn("model");
  auto engine = MakeEngine();
  Get(*engine, user);
  // An entry of another variant, left from an earlier split.
  smartshop::v1::Recommendations stale;
  stale.add_items()->mutable_product()->set_id(1);
  const std::string other =
      absl::StrCat("ai_recommended_experiment_home-test:top:u:", user);
  ASSERT_TRUE(
      cache_.Set(other, stale, absl::Hours(1), absl::InfiniteFuture()).ok());
  smartshop::v1::DeleteUserDataRequest erase;
  erase.set_user_id(user);
  auto erased = engine->DeleteUserData(erase, absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(erased.ok()) << erased.status();
  EXPECT_EQ(erased->deleted_cache_entries(), 2);
  EXPECT_FALSE(cache_.contains(other));
  EXPECT_FALSE(cache_.contains(
      absl::StrCat("ai_recommended_experiment_home-test:model:u:", user)));
}

TEST_F(EngineExperimentTest, AnonymousVisitorsWithoutASessionAreNotAssigned) {
  auto engine = MakeEngine();
  tracking_.SetInteractions({ExperimentTestEvent("other", 5)});
  smartshop::v1::GetRecommendationsRequest request;
  auto answer = engine->Get(request, absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->experiment(), "");
  EXPECT_EQ(answer->variant(), "");
}

TEST_F(EngineExperimentTest, AStoppedExperimentAssignsNobody) {
  const std::string user = UserIn("top");
  clock_.SetTime(absl::FromUnixSeconds(1'900'000'000));
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, user);
  EXPECT_EQ(r.experiment(), "");
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_MODEL);
}

}  // namespace
}  // namespace smartshop::recommender
