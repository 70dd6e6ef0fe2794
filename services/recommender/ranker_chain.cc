#include "services/recommender/ranker_chain.h"

#include "absl/strings/str_cat.h"
#include "common/json_log.h"

namespace smartshop::recommender {

RankerChain::RankerChain(std::unique_ptr<Ranker> model,
                         std::unique_ptr<Ranker> builtin,
                         RankerChainOptions options)
    : RankerChain(std::move(model), nullptr, std::move(builtin), options) {}

RankerChain::RankerChain(std::unique_ptr<Ranker> model,
                         std::unique_ptr<Ranker> fallback_model,
                         std::unique_ptr<Ranker> builtin,
                         RankerChainOptions options)
    : model_(std::move(model)),
      fallback_model_(std::move(fallback_model)),
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
  if (model_by_policy && options_.route_max_history > 0) {
    // Before the bulkhead and the session budget: a routed shopper never
    // needed the model, so is neither refused nor charged.
    std::optional<Ranking> routed;
    if (!RouteToModel(options_.route_max_history,
                      request.ranking.builtin.own.size())) {
      // Without a builtin ranking to route to the model ranks as without
      // routing.
      routed = builtin();
    }
    if (options_.metrics != nullptr) {
      options_.metrics->ModelRoute(routed.has_value() ? "builtin" : "model");
    }
    if (routed.has_value()) {
      return {.ranked_by = RankedBy::kBuiltin,
              .ranking = *std::move(routed),
              .gave_up = {kRoutedLongHistoryReason, "routed_long_history"},
              .routed = true};
    }
  }
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
  if (fallback_model_ != nullptr &&
      outcome.gave_up.code != kModelBudgetReachedCode) {
    // The rest of the request's deadline (the primary's own timeout is kept
    // short of it when a secondary is configured: ranker_chain_factory.cc).
    outcome.fallback_model_called = true;
    Log(LogLevel::kWarning, "recommendation_fallback",
        {{"reason", outcome.gave_up.reason},
         {"code", outcome.gave_up.code},
         {"to", "fallback_model"}});
    auto second = fallback_model_->Rank(request.ranking, deadline);
    if (auto* ranking = std::get_if<Ranking>(&second)) {
      outcome.fallback_model_called = !ranking->model_reused;
      outcome.ranked_by = RankedBy::kModel;
      outcome.ranking = std::move(*ranking);
      outcome.ranking.strategy = smartshop::v1::STRATEGY_MODEL_FALLBACK;
      return outcome;
    }
    // Said as the primary's reason and the secondary's ("model: timed out;
    // fallback model: unavailable"), counted by the primary's code.
    if (std::get<RankingFailure>(second).no_call) {
      outcome.fallback_model_called = false;
    }
    outcome.gave_up.reason =
        absl::StrCat(outcome.gave_up.reason, "; fallback ",
                     std::get<RankingFailure>(second).reason);
  }
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
