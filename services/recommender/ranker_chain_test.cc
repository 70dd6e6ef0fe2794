#include "services/recommender/ranker_chain.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

// Ranks with its product or fails with its failure; counts its calls.
class ScriptedRanker : public Ranker {
 public:
  explicit ScriptedRanker(smartshop::v1::Strategy strategy)
      : strategy_(strategy) {}
  std::variant<Ranking, RankingFailure> Rank(const RankingRequest&,
                                             absl::Time) override {
    ++calls;
    if (failure.has_value()) return *failure;
    Ranking ranking;
    ranking.strategy = strategy_;
    return ranking;
  }
  std::optional<RankingFailure> failure;
  int calls = 0;

 private:
  const smartshop::v1::Strategy strategy_;
};

class RankerChainTest : public ::testing::Test {
 protected:
  // The chain owns its rankers; these pointers watch them.
  RankerChain Chain(bool with_model, bool with_builtin,
                    RankerChainOptions options = {}) {
    auto model =
        std::make_unique<ScriptedRanker>(smartshop::v1::STRATEGY_MODEL);
    auto builtin =
        std::make_unique<ScriptedRanker>(smartshop::v1::STRATEGY_BUILTIN);
    model_ = model.get();
    builtin_ = builtin.get();
    return RankerChain(with_model ? std::move(model) : nullptr,
                       with_builtin ? std::move(builtin) : nullptr, options);
  }

  ChainOutcome Rank(RankerChain& chain, const Shopper& shopper,
                    int64_t category_id = 0,
                    std::optional<RankingFailure> refused = std::nullopt) {
    return chain.Rank({.ranking = ranking_,
                       .shopper = shopper,
                       .category_id = category_id,
                       .model_refused = std::move(refused)},
                      absl::Now() + absl::Seconds(1));
  }

  const CatalogSnapshot catalog_{{}, absl::Now()};
  const std::vector<ProductActivity> summary_{};
  const RankingInput input_{};
  const RankingRequest ranking_{
      .catalog = catalog_, .summary = summary_, .builtin = input_};
  const Shopper user_{"42", ""};
  const Shopper session_{"", "s1"};
  ScriptedRanker* model_ = nullptr;
  ScriptedRanker* builtin_ = nullptr;
};

TEST_F(RankerChainTest, TheModelRanksAUsersHomePage) {
  RankerChain chain = Chain(true, true);
  ChainOutcome outcome = Rank(chain, user_);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kModel);
  EXPECT_EQ(outcome.ranking.strategy, smartshop::v1::STRATEGY_MODEL);
  EXPECT_TRUE(outcome.model_called);
  EXPECT_EQ(outcome.gave_up.reason, "");
  EXPECT_FALSE(outcome.stand_in());
  EXPECT_EQ(builtin_->calls, 0);
}

TEST_F(RankerChainTest, TheBuiltinRankerStandsInWhenTheModelGivesUp) {
  RankerChain chain = Chain(true, true);
  model_->failure = RankingFailure{"model: rate limited", "model_rate_limited"};
  ChainOutcome outcome = Rank(chain, user_);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kBuiltin);
  EXPECT_TRUE(outcome.stand_in());
  EXPECT_TRUE(outcome.model_called);
  EXPECT_EQ(outcome.gave_up.reason, "model: rate limited");
  EXPECT_EQ(outcome.gave_up.code, "model_rate_limited");
}

TEST_F(RankerChainTest, WithoutABuiltinRankerTheModelsFailureEndsTheChain) {
  RankerChain chain = Chain(true, false);
  model_->failure = RankingFailure{"model: timed out", "model_timeout"};
  ChainOutcome outcome = Rank(chain, user_);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kNone);
  EXPECT_EQ(outcome.gave_up.reason, "model: timed out");
  EXPECT_EQ(outcome.gave_up.code, "model_timeout");
}

TEST_F(RankerChainTest, ARefusedModelIsNotAskedAndTheBuiltinStandsIn) {
  RankerChain chain = Chain(true, true);
  ChainOutcome outcome =
      Rank(chain, user_, 0,
           RankingFailure{"model: too many computations in flight",
                          "computations_full"});
  EXPECT_EQ(model_->calls, 0);
  EXPECT_FALSE(outcome.model_called);
  EXPECT_TRUE(outcome.stand_in());
  EXPECT_EQ(outcome.gave_up.code, "computations_full");
}

TEST_F(RankerChainTest, CategoryPagesAreTheBuiltinRankers) {
  RankerChain chain = Chain(true, true);
  ChainOutcome outcome = Rank(chain, user_, 7);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kBuiltin);
  EXPECT_FALSE(outcome.stand_in());
  EXPECT_EQ(model_->calls, 0);

  RankerChain model_only = Chain(true, false);
  ChainOutcome none = Rank(model_only, user_, 7);
  EXPECT_EQ(none.ranked_by, RankedBy::kNone);
  EXPECT_EQ(none.gave_up.reason, "category pages need the builtin ranker");
  EXPECT_EQ(none.gave_up.code, "no_builtin_ranker");
}

TEST_F(RankerChainTest, NoRankerAtAllSaysTheModelIsNotConfigured) {
  RankerChain chain = Chain(false, false);
  ChainOutcome outcome = Rank(chain, user_);
  EXPECT_EQ(outcome.ranked_by, RankedBy::kNone);
  EXPECT_EQ(outcome.gave_up.reason, "model: not configured");
  EXPECT_EQ(outcome.gave_up.code, "model_not_configured");
  EXPECT_FALSE(chain.ranks_without_model());
}

TEST_F(RankerChainTest, SessionsUseTheModelOnlyWithinTheirBudget) {
  RankerChain builtin_sessions = Chain(true, true);
  EXPECT_EQ(Rank(builtin_sessions, session_).ranked_by, RankedBy::kBuiltin);
  EXPECT_EQ(model_->calls, 0);

  RankerChain budgeted =
      Chain(true, false,
            {.session_model = true,
             .session_model_budget = {.min_interval = absl::Hours(1),
                                      .max_calls = 1}});
  EXPECT_EQ(Rank(budgeted, session_).ranked_by, RankedBy::kModel);
  ChainOutcome spent = Rank(budgeted, session_);
  EXPECT_EQ(spent.ranked_by, RankedBy::kNone);
  EXPECT_EQ(spent.gave_up.reason, "sessions need the builtin ranker");
  EXPECT_EQ(model_->calls, 1);
}

TEST_F(RankerChainTest, TheBuiltinRanksOnceForTheInterimAndTheStandIn) {
  RankerChain chain = Chain(true, true);
  model_->failure = RankingFailure{"model: unavailable", "model_unavailable"};
  std::vector<smartshop::v1::Strategy> interims;
  ChainOutcome outcome = chain.Rank({.ranking = ranking_,
                                     .shopper = user_,
                                     .before_model =
                                         [&](const Ranking& interim) {
                                           interims.push_back(interim.strategy);
                                           EXPECT_EQ(model_->calls, 0);
                                         }},
                                    absl::Now() + absl::Seconds(1));
  EXPECT_EQ(interims, std::vector<smartshop::v1::Strategy>{
                          smartshop::v1::STRATEGY_BUILTIN});
  EXPECT_TRUE(outcome.stand_in());
  EXPECT_EQ(builtin_->calls, 1);
}

}  // namespace
}  // namespace smartshop::recommender
