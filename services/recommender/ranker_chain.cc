#include "services/recommender/ranker_chain.h"

#include "common/json_log.h"

namespace smartshop::recommender {

RankerChain::RankerChain(std::unique_ptr<Ranker> model,
                         std::unique_ptr<Ranker> builtin,
                         RankerChainOptions options)
    : model_(std::move(model)),
      builtin_(std::move(builtin)),
      options_(options),
      session_budget_(options_.session_model_budget) {}

ChainOutcome RankerChain::Rank(const ChainRequest& request,
                               absl::Time deadline) {
  // The builtin ranking, computed at most once.
  std::optional<std::optional<Ranking>> builtin_ranking;
  auto builtin = [&]() -> std::optional<Ranking> {
    if (!builtin_ranking.has_value()) {
      builtin_ranking.emplace();
      if (builtin_ != nullptr) {
        auto ranked = builtin_->Rank(request.ranking, deadline);
        if (auto* ranking = std::get_if<Ranking>(&ranked)) {
          *builtin_ranking = std::move(*ranking);
        }
      }
    }
    return *builtin_ranking;
  };

  const bool session = IsSession(request.shopper);
  const bool anonymous =
      request.shopper.user_id.empty() && request.shopper.session_key.empty();
  const bool model_by_policy = model_ != nullptr && request.category_id == 0 &&
                               (!session || options_.session_model) &&
                               (anonymous || options_.model_for_shoppers);
  if (model_by_policy && request.model_refused.has_value()) {
    ChainOutcome outcome{.gave_up = *request.model_refused};
    if (std::optional<Ranking> ranking = builtin()) {
      outcome.ranked_by = RankedBy::kBuiltin;
      outcome.ranking = *std::move(ranking);
    }
    return outcome;
  }
  if (!model_by_policy ||
      (session &&
       !session_budget_.TryTake(request.shopper.session_key, absl::Now()))) {
    return WithoutModel(request, builtin());
  }
  if (request.before_model) {
    if (std::optional<Ranking> ranking = builtin()) {
      request.before_model(*ranking);
    }
  }
  ChainOutcome outcome{.model_called = true};
  auto ranked = model_->Rank(request.ranking, deadline);
  if (auto* ranking = std::get_if<Ranking>(&ranked)) {
    outcome.ranked_by = RankedBy::kModel;
    outcome.model_called = !ranking->model_reused;
    outcome.ranking = std::move(*ranking);
    return outcome;
  }
  outcome.gave_up = std::get<RankingFailure>(std::move(ranked));
  if (outcome.gave_up.no_call) outcome.model_called = false;
  if (builtin_ != nullptr) {
    Log(LogLevel::kWarning, "recommendation_fallback",
        {{"reason", outcome.gave_up.reason},
         {"code", outcome.gave_up.code},
         {"to", "builtin"}});
    if (std::optional<Ranking> ranking = builtin()) {
      outcome.ranked_by = RankedBy::kBuiltin;
      outcome.ranking = *std::move(ranking);
    }
  }
  return outcome;
}

ChainOutcome RankerChain::WithoutModel(const ChainRequest& request,
                                       std::optional<Ranking> builtin) const {
  if (builtin.has_value()) {
    return {.ranked_by = RankedBy::kBuiltin, .ranking = *std::move(builtin)};
  }
  if (model_ == nullptr) {
    return {.gave_up = {"model: not configured", "model_not_configured"}};
  }
  if (request.category_id != 0) {
    return {.gave_up = {"category pages need the builtin ranker",
                        "no_builtin_ranker"}};
  }
  return {.gave_up = {"sessions need the builtin ranker", "no_builtin_ranker"}};
}

}  // namespace smartshop::recommender
