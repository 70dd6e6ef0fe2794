// Every answer served carries its own recommendation id and the items'
// positions, and is recorded in the served log, cache hits included.
#include <regex>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/recommendation_views.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Recommendations;
using smartshop::v1::ServedRecommendation;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::SizeIs;

class CapturingServedSink : public ServedSink {
 public:
  absl::Status Send(const std::vector<ServedRecommendation>& batch,
                    absl::Time) override {
    absl::MutexLock lock(&mu_);
    served_.insert(served_.end(), batch.begin(), batch.end());
    return absl::OkStatus();
  }
  std::vector<ServedRecommendation> served() const {
    absl::MutexLock lock(&mu_);
    return served_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<ServedRecommendation> served_ ABSL_GUARDED_BY(mu_);
};

bool IsUuidV4(const std::string& id) {
  static const std::regex kUuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  return std::regex_match(id, kUuid);
}

std::vector<int> Positions(const Recommendations& r) {
  std::vector<int> positions;
  for (const auto& item : r.items()) positions.push_back(item.position());
  return positions;
}

smartshop::v1::Interaction ServedTestView(std::string user, int64_t product) {
  smartshop::v1::Interaction i;
  i.set_user_id(std::move(user));
  i.set_type(smartshop::v1::VIEW_PRODUCT);
  i.set_product_id(product);
  return i;
}

class ServedAnswersTest : public ::testing::Test {
 protected:
  ServedAnswersTest() {
    tracking_.SetProducts(testing::SoldItems(12));
    EXPECT_TRUE(catalog_.Refresh().ok());
    llm_.Reply(
        R"j([{"product": "Item 2 (Cat)", "relevance_score": 97, "reason": "Viewed"}])j");
    tracking_.SetInteractions(
        {ServedTestView("42", 2), ServedTestView("7", 5)});
  }

  RecommendationEngine MakeEngine() {
    EngineOptions options;
    return RecommendationEngine(
        &tracking_, &catalog_, &cache_,
        MakeRankerChain(&llm_, *PromptBuilder::Create({}), options, nullptr,
                        nullptr),
        options, clock_);
  }

  Recommendations Get(RecommendationEngine& engine,
                      const smartshop::v1::GetRecommendationsRequest& request) {
    auto answer = engine.Get(request, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : Recommendations();
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(1)};
  testing::FakeLlmClient llm_;
  testing::FakeRecommendationCache cache_;
  CapturingServedSink sink_;
};

TEST_F(ServedAnswersTest, EachServingHasItsOwnIdAndPositionsCacheHitsToo) {
  auto engine = MakeEngine();
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id("42");
  const Recommendations miss = Get(engine, request);
  const Recommendations hit = Get(engine, request);
  ASSERT_TRUE(hit.cache_hit());
  EXPECT_TRUE(IsUuidV4(miss.recommendation_id())) << miss.recommendation_id();
  EXPECT_TRUE(IsUuidV4(hit.recommendation_id())) << hit.recommendation_id();
  EXPECT_NE(miss.recommendation_id(), hit.recommendation_id());
  EXPECT_THAT(Positions(miss), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  EXPECT_THAT(Positions(hit), ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
}

TEST_F(ServedAnswersTest, TheServedLogRecordsEveryAnswerWithItsCost) {
  Recommendations miss, hit;
  {
    ServedLog log(&sink_, {.flush_interval = absl::Milliseconds(5)});
    auto engine = MakeEngine();
    engine.set_served_log(&log);
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id("42");
    miss = Get(engine, request);
    hit = Get(engine, request);
  }  // drained
  const std::vector<ServedRecommendation> served = sink_.served();
  ASSERT_THAT(served, SizeIs(2));
  EXPECT_EQ(served[0].recommendation_id(), miss.recommendation_id());
  EXPECT_EQ(served[0].user_id(), "42");
  EXPECT_EQ(served[0].session_key(), "");
  EXPECT_EQ(served[0].placement(), smartshop::v1::PLACEMENT_HOME);
  EXPECT_EQ(served[0].strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_FALSE(served[0].cache_hit());
  EXPECT_THAT(served[0].product_ids(),
              ElementsAreArray(testing::ProductIds(miss)));
  EXPECT_EQ(served[0].model_calls(), 1);
  EXPECT_DOUBLE_EQ(served[0].model_cost_usd(), 0.0001);  // the fake's price
  EXPECT_GT(served[0].latency_micros(), 0);
  EXPECT_TRUE(served[0].has_served_at());
  // The hit costs nothing and is its own serving.
  EXPECT_EQ(served[1].recommendation_id(), hit.recommendation_id());
  EXPECT_TRUE(served[1].cache_hit());
  EXPECT_EQ(served[1].model_calls(), 0);
  EXPECT_DOUBLE_EQ(served[1].model_cost_usd(), 0);
}

TEST_F(ServedAnswersTest, AModelCallFinishingAfterTheReplyIsStillCounted) {
  llm_.SetDelay(absl::Milliseconds(400));
  std::string id;
  {
    ServedLog log(&sink_, {.flush_interval = absl::Milliseconds(5)});
    {
      auto engine = MakeEngine();
      engine.set_served_log(&log);
      smartshop::v1::GetRecommendationsRequest request;
      request.set_user_id("42");
      // The caller cannot wait for the model: it leaves with top sellers.
      auto answer = engine.Get(request, absl::Now() + absl::Milliseconds(150));
      ASSERT_TRUE(answer.ok()) << answer.status();
      EXPECT_NE(answer->strategy(), smartshop::v1::STRATEGY_MODEL);
      id = answer->recommendation_id();
    }  // the engine waits for the model call
  }
  const std::vector<ServedRecommendation> served = sink_.served();
  ASSERT_THAT(served, SizeIs(2));
  // Served without the spend, then the same answer again with it.
  EXPECT_EQ(served[0].recommendation_id(), id);
  EXPECT_EQ(served[0].model_calls(), 0);
  EXPECT_EQ(served[1].recommendation_id(), id);
  EXPECT_EQ(served[1].served_at().seconds(), served[0].served_at().seconds());
  EXPECT_EQ(served[1].served_at().nanos(), served[0].served_at().nanos());
  EXPECT_EQ(served[1].model_calls(), 1);
  EXPECT_DOUBLE_EQ(served[1].model_cost_usd(), 0.0001);
}

TEST_F(ServedAnswersTest, ASessionSharingTheAnonymousAnswerIsRecordedAsItself) {
  {
    ServedLog log(&sink_, {.flush_interval = absl::Milliseconds(5)});
    auto engine = MakeEngine();
    engine.set_served_log(&log);
    smartshop::v1::GetRecommendationsRequest request;
    request.set_session_key("sess-1");
    Get(engine, request);
  }
  const std::vector<ServedRecommendation> served = sink_.served();
  ASSERT_THAT(served, SizeIs(1));
  EXPECT_EQ(served[0].user_id(), "");
  EXPECT_EQ(served[0].session_key(), "sess-1");
}

TEST_F(ServedAnswersTest, AFallbackIsRecordedWithItsReason) {
  llm_.FailWith(absl::UnavailableError("fake model: down"));
  {
    ServedLog log(&sink_, {.flush_interval = absl::Milliseconds(5)});
    auto engine = MakeEngine();
    engine.set_served_log(&log);
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id("42");
    Get(engine, request);
  }
  const std::vector<ServedRecommendation> served = sink_.served();
  ASSERT_THAT(served, SizeIs(1));
  EXPECT_EQ(served[0].strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_FALSE(served[0].fallback_code().empty());
  EXPECT_EQ(served[0].model_calls(), 1);
}

}  // namespace
}  // namespace smartshop::recommender
