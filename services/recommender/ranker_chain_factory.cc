#include "services/recommender/ranker_chain_factory.h"

#include "services/recommender/builtin/builtin_ranking.h"
#include "services/recommender/model/builtin_candidates.h"
#include "services/recommender/model/model_ranker.h"

namespace smartshop::recommender {

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
        llm, std::move(prompt),
        ModelRankerOptions{.model_timeout = options.model_timeout,
                           .reply_margin = options.reply_margin,
                           .breaker = options.model_breaker},
        std::move(candidates), metrics);
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

}  // namespace smartshop::recommender
