#include "services/recommender/model/model_ranker.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/fake_recommender_deps.h"

namespace smartshop::recommender {
namespace {

// Shows the model exactly the products it was given.
class FixedCandidates : public CandidateSource {
 public:
  explicit FixedCandidates(std::vector<int64_t> ids, int max_per_category = 0)
      : ids_(std::move(ids)), max_per_category_(max_per_category) {}
  int MaxPerCategory() const override { return max_per_category_; }
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
  const int max_per_category_;
};

CatalogSnapshot RankerCatalog() {
  return CatalogSnapshot(testing::LetteredProducts(3), absl::Now());
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
  const std::vector<ProductActivity> summary_{};
  const RankingInput input_{};
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

TEST_F(ModelRankerTest, TheHybridModelsUnpickedCandidatesFollowInBuiltinOrder) {
  llm_.Reply(
      R"j([{"product_id": 1, "relevance_score": 90, "reason": "Pair"}])j");
  ModelRanker ranker(
      &llm_, *PromptBuilder::Create({}), {},
      std::make_unique<FixedCandidates>(std::vector<int64_t>{3, 1, 2}),
      nullptr);
  auto ranked = Rank(ranker);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  const Ranking& ranking = std::get<Ranking>(ranked);
  ASSERT_EQ(ranking.items.size(), 3u);
  EXPECT_EQ(ranking.items[0].product->id(), 1);
  EXPECT_EQ(ranking.items[0].reason, "Pair");
  EXPECT_EQ(ranking.items[0].source,
            smartshop::v1::RECOMMENDATION_SOURCE_UNSPECIFIED);  // the model's
  EXPECT_EQ(ranking.items[1].product->id(), 3);
  EXPECT_EQ(ranking.items[2].product->id(), 2);
  for (size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(ranking.items[i].source, smartshop::v1::BUILTIN);
    EXPECT_EQ(ranking.items[i].reason, "Bought together");
    EXPECT_LT(ranking.items[i].score, ranking.items[i - 1].score);
    EXPECT_LT(ranking.items[i].score, ranking.gap_fill_score);
  }
  EXPECT_EQ(ranking.dropped, 0);
}

TEST_F(ModelRankerTest, TheHybridModelsOrderKeepsTheCandidatesDiversityRule) {
  // 1 and 2 of category 1, 3 of category 2; one of a category while
  // another is left.
  std::vector<smartshop::v1::Product> products = testing::LetteredProducts(3);
  for (auto& p : products) p.set_category_id(p.id() == 3 ? 2 : 1);
  const CatalogSnapshot catalog(products, absl::Now());
  llm_.Reply(R"j([{"product_id": 1, "relevance_score": 90, "reason": "a"},
                  {"product_id": 2, "relevance_score": 85, "reason": "b"}])j");
  ModelRanker ranker(&llm_, *PromptBuilder::Create({}), {},
                     std::make_unique<FixedCandidates>(
                         std::vector<int64_t>{1, 2, 3}, /*max_per_category=*/1),
                     nullptr);
  auto ranked = ranker.Rank({.catalog = catalog,
                             .summary = summary_,
                             .personalised = false,
                             .builtin = input_},
                            absl::Now() + absl::Seconds(5));
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  const Ranking& ranking = std::get<Ranking>(ranked);
  ASSERT_EQ(ranking.items.size(), 3u);
  EXPECT_EQ(ranking.items[0].product->id(), 1);
  EXPECT_EQ(ranking.items[1].product->id(), 3);  // unpicked, lifted
  EXPECT_EQ(ranking.items[2].product->id(), 2);  // held back
  EXPECT_EQ(ranking.items[2].reason, "b");
  EXPECT_LE(ranking.items[2].score, ranking.items[1].score);
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
  // Neither a call nor spend on the served answer.
  EXPECT_TRUE(std::get<RankingFailure>(paused).no_call);
  EXPECT_EQ(llm_.requests().size(), 2u);
}

// Answers every call with one whole ChatCompletion (refusal, finish_reason,
// structured), which FakeLlmClient cannot script.
class CompletionLlm : public LlmClient {
 public:
  explicit CompletionLlm(ChatCompletion completion)
      : completion_(std::move(completion)) {}
  absl::StatusOr<ChatCompletion> Complete(const ChatRequest& request,
                                          absl::Time) override {
    requests_.push_back(request);
    return completion_;
  }
  std::vector<ChatRequest> requests_;

 private:
  ChatCompletion completion_;
};

ChatCompletion StructuredCompletion(std::string content) {
  ChatCompletion completion;
  completion.content = std::move(content);
  completion.finish_reason = "stop";
  completion.structured = true;
  return completion;
}

class ModelRankerReplyTest : public ModelRankerTest {
 protected:
  std::variant<Ranking, RankingFailure> RankWith(
      const ChatCompletion& completion, bool hybrid = false) {
    llm_ = std::make_unique<CompletionLlm>(completion);
    PromptSettings settings;
    settings.structured_output = StructuredOutput::kOn;
    ModelRanker ranker(
        llm_.get(), *PromptBuilder::Create(settings), {},
        hybrid ? std::make_unique<FixedCandidates>(std::vector<int64_t>{3, 1})
               : nullptr,
        nullptr);
    return Rank(ranker);
  }
  static RankingFailure FailureOf(
      const std::variant<Ranking, RankingFailure>& ranked) {
    EXPECT_TRUE(std::holds_alternative<RankingFailure>(ranked));
    return std::holds_alternative<RankingFailure>(ranked)
               ? std::get<RankingFailure>(ranked)
               : RankingFailure{};
  }
  std::unique_ptr<CompletionLlm> llm_;
};

TEST_F(ModelRankerReplyTest, AStructuredReplyIsReadByName) {
  auto ranked = RankWith(StructuredCompletion(
      R"j({"recommendations":[{"product":"C (Shelf)","relevance_score":91,)j"
      R"("reason":"Fits"}]})"));
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  const Ranking& ranking = std::get<Ranking>(ranked);
  ASSERT_EQ(ranking.items.size(), 1u);
  EXPECT_EQ(ranking.items[0].product->id(), 3);
  EXPECT_EQ(ranking.items[0].score, 91);
  // The request carried the by-name schema.
  ASSERT_TRUE(llm_->requests_[0].response_schema.has_value());
  EXPECT_EQ(llm_->requests_[0].response_schema->name, "product_picks_by_name");
}

TEST_F(ModelRankerReplyTest, AStructuredHybridReplyIsReadById) {
  auto ranked = RankWith(
      StructuredCompletion(
          R"({"recommendations":[{"product_id":1,"relevance_score":70,)"
          R"("reason":"a"},{"product_id":3,"relevance_score":60,"reason":"b"}]})"),
      /*hybrid=*/true);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  const Ranking& ranking = std::get<Ranking>(ranked);
  ASSERT_EQ(ranking.items.size(), 2u);
  EXPECT_EQ(ranking.items[0].product->id(), 1);
  EXPECT_EQ(ranking.items[1].product->id(), 3);
  EXPECT_EQ(llm_->requests_[0].response_schema->name, "product_picks_by_id");
}

TEST_F(ModelRankerReplyTest, ARefusalIsModelRefused) {
  ChatCompletion refused = StructuredCompletion("");
  refused.refusal = "I can't help with that.";
  const RankingFailure failure = FailureOf(RankWith(refused));
  EXPECT_EQ(failure.reason, "model: refused");
  EXPECT_EQ(failure.code, "model_refused");
}

TEST_F(ModelRankerReplyTest, AReplyCutOffOrFilteredIsAFailureOfItsOwn) {
  // What arrived may even parse: it is still not the model's whole answer.
  const struct {
    const char* finish_reason;
    const char* reason;
    const char* code;
  } kCases[] = {
      {"length", "model: reply cut off", "model_reply_truncated"},
      {"content_filter", "model: reply withheld by the content filter",
       "model_content_filtered"},
  };
  for (const auto& c : kCases) {
    ChatCompletion ended = StructuredCompletion(
        R"j({"recommendations":[{"product":"C (Shelf)","relevance_score":91,)j"
        R"("reason":"Fits"}]})");
    ended.finish_reason = c.finish_reason;
    const RankingFailure failure = FailureOf(RankWith(ended));
    EXPECT_EQ(failure.reason, c.reason);
    EXPECT_EQ(failure.code, c.code);
  }
}

TEST_F(ModelRankerReplyTest, AStructuredReplyOffTheSchemaIsNotReadTolerantly) {
  // Each of these the tolerant parser would have accepted.
  for (const char* content : {
           R"j([{"product":"C (Shelf)","relevance_score":91,"reason":"x"}])j",
           R"j({"recommendations":[{"product":"C (Shelf)",)j"
           R"("relevance_score":150,"reason":"x"}]})",
           R"j({"recommendations":[{"product":"C (Shelf)","reason":"x"}]})j",
           "```json\n{\"recommendations\":[{\"product\":\"C (Shelf)\","
           "\"relevance_score\":9,\"reason\":\"x\"}]}\n```",
       }) {
    const RankingFailure failure =
        FailureOf(RankWith(StructuredCompletion(content)));
    EXPECT_EQ(failure.reason, "model: reply violates the schema") << content;
    EXPECT_EQ(failure.code, "model_schema_violation") << content;
  }
}

TEST_F(ModelRankerReplyTest, APlainReplyAfterAFallbackIsReadTolerantly) {
  // The client sent it without response_format (structured false).
  ChatCompletion plain;
  plain.content =
      "Sure!\n```json\n[{\"product\": \"B (Shelf)\", "
      "\"relevance_score\": 93}]\n```";
  auto ranked = RankWith(plain);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked));
  EXPECT_EQ(std::get<Ranking>(ranked).items[0].product->id(), 2);
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

// A call that timed out may have been billed all the same: its hold stays.
TEST_F(ModelRankerTest, ATimedOutCallCostsTheBudgetItsHold) {
  ModelBudget budget({.reserve_per_call_usd = 0.0002}, nullptr);
  llm_.FailWith(absl::DeadlineExceededError("no answer"));
  ModelRanker ranker = Original({.budget = &budget});
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(Rank(ranker)));
  EXPECT_NEAR(budget.SpendTodayUsd(absl::Now() + absl::Seconds(1)), 0.0002,
              1e-12);
}

}  // namespace
}  // namespace smartshop::recommender
