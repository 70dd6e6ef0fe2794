#include "services/recommender/model/model_ranker.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_recommender_deps.h"

namespace smartshop::recommender {
namespace {

// Shows the model exactly the products it was given.
class FixedCandidates : public CandidateSource {
 public:
  explicit FixedCandidates(std::vector<int64_t> ids) : ids_(std::move(ids)) {}
  std::vector<PromptBuilder::Candidate> Candidates(
      const RankingRequest& request) const override {
    std::vector<PromptBuilder::Candidate> candidates;
    for (int64_t id : ids_) {
      candidates.push_back({request.catalog.Find(id), "Bought together"});
    }
    return candidates;
  }

 private:
  const std::vector<int64_t> ids_;
};

CatalogSnapshot RankerCatalog() {
  std::vector<smartshop::v1::Product> products(3);
  for (int i = 0; i < 3; ++i) {
    products[i].set_id(i + 1);
    products[i].set_name(std::string(1, static_cast<char>('A' + i)));
    products[i].set_category_name("Shelf");
    products[i].set_is_active(true);
  }
  return CatalogSnapshot(std::move(products), absl::Now());
}

class ModelRankerTest : public ::testing::Test {
 protected:
  std::variant<Ranking, RankingFailure> Rank(ModelRanker& ranker) {
    return ranker.Rank({.catalog = catalog_,
                        .summary = summary_,
                        .personalised = true,
                        .builtin = input_},
                       absl::Now() + absl::Seconds(5));
  }
  ModelRanker Original(ModelRankerOptions options = {}) {
    return ModelRanker(&llm_, *PromptBuilder::Create({}), options, nullptr,
                       nullptr);
  }

  const CatalogSnapshot catalog_ = RankerCatalog();
  const std::vector<ProductActivity> summary_;
  const RankingInput input_;
  testing::FakeLlmClient llm_;
};

TEST_F(ModelRankerTest, TheOriginalPromptIsAnsweredByName) {
  llm_.Reply(R"j([{"product": "B (Shelf)", "relevance_score": 93,
                   "reason": "Fits"},
                  {"product": "Nothing we sell", "relevance_score": 90}])j");
  ModelRanker ranker = Original();
  auto ranked = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  const Ranking& ranking = std::get<Ranking>(ranked);
  EXPECT_EQ(ranking.strategy, smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(ranking.source, smartshop::v1::MODEL);
  ASSERT_EQ(ranking.items.size(), 1u);
  EXPECT_EQ(ranking.items[0].product->id(), 2);
  EXPECT_EQ(ranking.items[0].score, 93);
  EXPECT_EQ(ranking.items[0].reason, "Fits");
  EXPECT_EQ(ranking.dropped, 1);
  ASSERT_EQ(llm_.requests().size(), 1u);
  EXPECT_THAT(llm_.requests()[0].messages[1].content,
              ::testing::HasSubstr("Available Products in Catalog"));
}

TEST_F(ModelRankerTest, ACandidateSourceMakesTheHybridPromptAnsweredById) {
  llm_.Reply(R"j([{"product_id": 3, "relevance_score": 88, "reason": "Pair"},
                  {"product_id": 1, "relevance_score": 80, "reason": "?"}])j");
  ModelRanker ranker(&llm_, *PromptBuilder::Create({}), {},
                     std::make_unique<FixedCandidates>(std::vector<int64_t>{3}),
                     nullptr);
  auto ranked = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  const Ranking& ranking = std::get<Ranking>(ranked);
  ASSERT_EQ(ranking.items.size(), 1u);  // 1 was never shown
  EXPECT_EQ(ranking.items[0].product->id(), 3);
  const std::string prompt = llm_.requests()[0].messages[1].content;
  EXPECT_THAT(prompt, ::testing::HasSubstr("Bought together"));
  EXPECT_THAT(
      prompt,
      ::testing::Not(::testing::HasSubstr("Available Products in Catalog")));
}

TEST_F(ModelRankerTest, EachFailureSaysWhyWithItsCode) {
  const std::vector<std::pair<absl::Status, RankingFailure>> cases = {
      {absl::UnauthenticatedError("401"),
       {"model: invalid API key", "model_invalid_key"}},
      {absl::ResourceExhaustedError("429"),
       {"model: rate limited", "model_rate_limited"}},
      {absl::DeadlineExceededError("slow"),
       {"model: timed out", "model_timeout"}},
      {absl::DataLossError("html"),
       {"model: unexpected reply", "model_bad_reply"}},
      {absl::UnavailableError("reset"),
       {"model: unavailable", "model_unavailable"}}};
  for (const auto& [status, expected] : cases) {
    llm_.FailWith(status);
    ModelRanker ranker = Original();
    auto ranked = Rank(ranker);
    ASSERT_TRUE(std::holds_alternative<RankingFailure>(ranked));
    EXPECT_EQ(std::get<RankingFailure>(ranked).reason, expected.reason);
    EXPECT_EQ(std::get<RankingFailure>(ranked).code, expected.code);
  }
}

TEST_F(ModelRankerTest, AnUnparsableReplyIsAFailureOfItsOwn) {
  llm_.Reply("I cannot help with that.");
  ModelRanker ranker = Original();
  auto ranked = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(ranked));
  EXPECT_EQ(std::get<RankingFailure>(ranked).code, "model_reply_unparsable");
  EXPECT_THAT(std::get<RankingFailure>(ranked).reason,
              ::testing::HasSubstr("model reply: "));
}

TEST_F(ModelRankerTest, RepeatedFailuresPauseTheModel) {
  llm_.FailWith(absl::UnavailableError("reset"));
  ModelRanker ranker = Original(
      {.breaker = {.failure_threshold = 2, .cool_down = absl::Hours(1)}});
  Rank(ranker);
  Rank(ranker);
  auto paused = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(paused));
  EXPECT_EQ(std::get<RankingFailure>(paused).reason,
            "model: paused after repeated failures");
  EXPECT_EQ(std::get<RankingFailure>(paused).code, "model_circuit_open");
  EXPECT_EQ(llm_.requests().size(), 2u);
}

TEST_F(ModelRankerTest, PastTheBudgetTheModelIsNotCalled) {
  llm_.Reply(R"j([{"product": "B (Shelf)", "relevance_score": 93}])j");
  ModelBudget budget({.calls_per_minute_cap = 1}, nullptr);
  ModelRanker ranker = Original({.budget = &budget});
  ASSERT_TRUE(std::holds_alternative<Ranking>(Rank(ranker)));
  auto refused = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(refused));
  EXPECT_EQ(std::get<RankingFailure>(refused).reason, "model: budget reached");
  EXPECT_EQ(std::get<RankingFailure>(refused).code, "model_budget_reached");
  EXPECT_TRUE(std::get<RankingFailure>(refused).no_call);
  EXPECT_EQ(llm_.requests().size(), 1u);
}

TEST_F(ModelRankerTest, TheBudgetIsChargedWhatEachCallCost) {
  // The fake bills $0.0001 a call; each call holds $0.0002 while it runs.
  llm_.Reply(R"j([{"product": "B (Shelf)", "relevance_score": 93}])j");
  ModelBudget budget(
      {.daily_spend_cap_usd = 0.00045, .reserve_per_call_usd = 0.0002},
      nullptr);
  ModelRanker ranker = Original({.budget = &budget});
  // Charged holds would refuse the third; charged costs let it through.
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(std::holds_alternative<Ranking>(Rank(ranker))) << i;
  }
  EXPECT_NEAR(budget.SpendTodayUsd(absl::Now() + absl::Seconds(1)), 0.0003,
              1e-12);
  // 0.0003 + a 0.0002 hold > 0.00045.
  EXPECT_TRUE(std::holds_alternative<RankingFailure>(Rank(ranker)));
  EXPECT_EQ(llm_.requests().size(), 3u);
}

TEST_F(ModelRankerTest, AFailedCallCostsTheBudgetNothing) {
  ModelBudget budget({.reserve_per_call_usd = 0.0002}, nullptr);
  llm_.FailWith(absl::UnavailableError("reset"));
  ModelRanker ranker = Original({.budget = &budget});
  auto failed = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(failed));
  EXPECT_FALSE(std::get<RankingFailure>(failed).no_call);
  EXPECT_EQ(llm_.requests().size(), 1u);
  EXPECT_EQ(budget.SpendTodayUsd(absl::Now() + absl::Seconds(1)), 0);
}

}  // namespace
}  // namespace smartshop::recommender
