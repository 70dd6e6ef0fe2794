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

// A product page's or a cart's chain.
std::unique_ptr<RankerChain> PageChain(LlmClient* llm,
                                       const PromptBuilder& prompt,
                                       const EngineOptions& options,
                                       const InteractionModel* model,
                                       RecommenderMetrics* metrics,
                                       PlacementRanking ranking) {
  if (model == nullptr)
    return std::make_unique<RankerChain>(nullptr, nullptr,
                                         RankerChainOptions{});
  std::unique_ptr<Ranker> model_ranker;
  if (llm != nullptr && options.placement_model) {
    model_ranker = std::make_unique<ModelRanker>(
        llm, prompt, ModelOptionsOf(options),
        std::make_unique<PlacementCandidates>(model, options.placement, ranking,
                                              options.hybrid_candidates),
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
      PageChain(llm, prompt, options, model, metrics, &RankProductPage);
  chains[smartshop::v1::PLACEMENT_CART] =
      PageChain(llm, prompt, options, model, metrics, &RankCart);
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
  if (llm != nullptr) {
    std::unique_ptr<const CandidateSource> candidates;
    if (options.hybrid_prompt && model != nullptr) {
      candidates = std::make_unique<BuiltinCandidates>(
          model, options.ranker, options.hybrid_candidates);
    }
    model_ranker = std::make_unique<ModelRanker>(
        llm, std::move(prompt), ModelOptionsOf(options), std::move(candidates),
        metrics);
  }
  std::unique_ptr<Ranker> builtin_ranker;
  if (model != nullptr) {
    builtin_ranker = std::make_unique<BuiltinRanker>(model, options.ranker);
  }
  return std::make_unique<RankerChain>(
      std::move(model_ranker), std::move(builtin_ranker),
      RankerChainOptions{.session_model = options.session_model,
                         .session_model_budget = options.session_model_budget});
}

VariantChains MakeVariantChains(LlmClient* llm, const PromptBuilder& prompt,
                                const EngineOptions& options,
                                const InteractionModel* model,
                                RecommenderMetrics* metrics) {
  VariantChains chains;
  EngineOptions original = options;
  original.hybrid_prompt = false;
  EngineOptions hybrid = options;
  hybrid.hybrid_prompt = model != nullptr;
  chains[smartshop::v1::VARIANT_RANKER_BUILTIN] =
      MakeRankerChain(nullptr, prompt, options, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_MODEL] =
      MakeRankerChain(llm, prompt, original, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_MODEL_HYBRID] =
      MakeRankerChain(llm, prompt, hybrid, model, metrics);
  chains[smartshop::v1::VARIANT_RANKER_TOP_SELLERS] =
      std::make_unique<RankerChain>(
          nullptr, std::make_unique<TopSellersRanker>(), RankerChainOptions{});
  return chains;
}

}  // namespace smartshop::recommender
