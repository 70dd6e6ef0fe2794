#include "services/recommender/ranker_chain_factory.h"

#include "services/recommender/builtin/builtin_ranking.h"
#include "services/recommender/model/builtin_candidates.h"
#include "services/recommender/model/model_ranker.h"
#include "services/recommender/placement_rankers.h"
#include "services/recommender/top_sellers_ranker.h"

namespace smartshop::recommender {

namespace {

ModelRankerOptions ModelOptionsOf(const EngineOptions& options) {
  return {
      .model_timeout = options.model_timeout,
      .reply_margin = options.reply_margin,
      .breaker = options.model_breaker,
      .replies = options.model_answer_reuse ? options.model_replies : nullptr,
      .reply_ttl = options.model_reply_ttl,
      .budget = options.model_budget};
}

// The routed variant's threshold when --model_route_max_history is off.
constexpr int kVariantRouteMaxHistory = 10;

// The home page's model ranker: `prompt` names the model.
std::unique_ptr<Ranker> HomeModelRanker(LlmClient* llm, PromptBuilder prompt,
                                        const EngineOptions& options,
                                        ModelRankerOptions model_options,
                                        const InteractionModel* model,
                                        RecommenderMetrics* metrics) {
  std::unique_ptr<const CandidateSource> candidates;
  if (options.hybrid_prompt && model != nullptr) {
    candidates = std::make_unique<BuiltinCandidates>(model, options.ranker,
                                                     options.hybrid_candidates);
  }
  return std::make_unique<ModelRanker>(llm, std::move(prompt), model_options,
                                       std::move(candidates), metrics);
}

// A product page's or a cart's chain.
std::unique_ptr<RankerChain> PageChain(
    LlmClient* llm, const PromptBuilder& prompt, const EngineOptions& options,
    const InteractionModel* model, RecommenderMetrics* metrics,
    PlacementRanking ranking, bool keeps_categories_varied) {
  if (model == nullptr)
    return std::make_unique<RankerChain>(nullptr, nullptr,
                                         RankerChainOptions{});
  std::unique_ptr<Ranker> model_ranker;
  if (llm != nullptr && options.placement_model) {
    model_ranker = std::make_unique<ModelRanker>(
        llm, prompt, ModelOptionsOf(options),
        std::make_unique<PlacementCandidates>(model, options.placement, ranking,
                                              options.hybrid_candidates,
                                              keeps_categories_varied),
        metrics);
  }
  return std::make_unique<RankerChain>(
      std::move(model_ranker),
      std::make_unique<PlacementRanker>(model, options.placement, ranking,
                                        smartshop::v1::STRATEGY_BUILTIN),
      RankerChainOptions{.model_for_shoppers = false});
}

}  // namespace

PlacementChains MakePlacementChains(LlmClient* llm, const PromptBuilder& prompt,
                                    const EngineOptions& options,
                                    const InteractionModel* model,
                                    RecommenderMetrics* metrics) {
  PlacementChains chains;
  chains[smartshop::v1::PLACEMENT_PRODUCT] =
      PageChain(llm, prompt, options, model, metrics, &RankProductPage,
                /*keeps_categories_varied=*/false);
  // The cart keeps the diversity rule whoever orders it.
  chains[smartshop::v1::PLACEMENT_CART] =
      PageChain(llm, prompt, options, model, metrics, &RankCart,
                /*keeps_categories_varied=*/true);
  std::unique_ptr<Ranker> trending;
  if (model != nullptr) {
    trending = std::make_unique<PlacementRanker>(
        model, options.placement, &RankTrending,
        smartshop::v1::STRATEGY_TRENDING);
  }
  chains[smartshop::v1::PLACEMENT_TRENDING] = std::make_unique<RankerChain>(
      nullptr, std::move(trending), RankerChainOptions{});
  chains[smartshop::v1::PLACEMENT_RECENTLY_VIEWED] =
      std::make_unique<RankerChain>(nullptr,
                                    std::make_unique<RecentlyViewedRanker>(),
                                    RankerChainOptions{});
  return chains;
}

std::unique_ptr<RankerChain> MakeRankerChain(LlmClient* llm,
                                             PromptBuilder prompt,
                                             const EngineOptions& options,
                                             const InteractionModel* model,
                                             RecommenderMetrics* metrics) {
  std::unique_ptr<Ranker> model_ranker;
  std::unique_ptr<Ranker> fallback_ranker;
  if (llm != nullptr) {
    ModelRankerOptions primary = ModelOptionsOf(options);
    if (!options.fallback_model.empty()) {
      // A slow primary leaves the secondary the rest of the budget.
      primary.model_timeout =
          options.model_timeout * options.primary_timeout_share;
      fallback_ranker =
          HomeModelRanker(llm, prompt.WithModel(options.fallback_model),
                          options, ModelOptionsOf(options), model, metrics);
    }
    model_ranker = HomeModelRanker(llm, std::move(prompt), options, primary,
                                   model, metrics);
  }
  std::unique_ptr<Ranker> builtin_ranker;
  if (model != nullptr) {
    builtin_ranker = std::make_unique<BuiltinRanker>(model, options.ranker);
  }
  return std::make_unique<RankerChain>(
      std::move(model_ranker), std::move(fallback_ranker),
      std::move(builtin_ranker),
      RankerChainOptions{.session_model = options.session_model,
                         .session_model_budget = options.session_model_budget,
                         .route_max_history = options.model_route_max_history,
                         .metrics = metrics});
}

VariantChains MakeVariantChains(LlmClient* llm, const PromptBuilder& prompt,
                                const EngineOptions& options,
                                const InteractionModel* model,
                                RecommenderMetrics* metrics) {
  VariantChains chains;
  // Each model variant is the model and one change at most: no routing and
  // no secondary model unless the variant names it.
  EngineOptions plain = options;
  plain.model_route_max_history = 0;
  plain.fallback_model.clear();
  EngineOptions original = plain;
  original.hybrid_prompt = false;
  EngineOptions hybrid = plain;
  hybrid.hybrid_prompt = model != nullptr;
  EngineOptions routed = plain;
  routed.model_route_max_history = options.model_route_max_history > 0
                                       ? options.model_route_max_history
                                       : kVariantRouteMaxHistory;
  EngineOptions with_fallback = plain;
  with_fallback.fallback_model = options.fallback_model;
  chains[smartshop::v1::VARIANT_RANKER_BUILTIN] =
      MakeRankerChain(nullptr, prompt, options, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_MODEL] =
      MakeRankerChain(llm, prompt, original, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_MODEL_HYBRID] =
      MakeRankerChain(llm, prompt, hybrid, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_MODEL_ROUTED] =
      MakeRankerChain(llm, prompt, routed, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL] =
      MakeRankerChain(llm, prompt, with_fallback, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_TOP_SELLERS] =
      std::make_unique<RankerChain>(
          nullptr, std::make_unique<TopSellersRanker>(), RankerChainOptions{});
  return chains;
}

}  // namespace smartshop::recommender
