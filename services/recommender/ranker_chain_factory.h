// The ranker chain as the service runs it, from its settings: the model
// (when an LLM client is given; with the hybrid prompt's builtin candidates
// when asked for and a builtin model is given), then the secondary model
// (options.fallback_model), then the builtin ranker
// (when a builtin model is given). The one place that decides which rankers
// exist: main.cc, the integration harness and the benchmarks all build
// their chain here. Every model ranker made here draws on
// `options.model_budget` (one budget per process).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RANKER_CHAIN_FACTORY_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RANKER_CHAIN_FACTORY_H_

#include <memory>

#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/engine_options.h"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/ranker_chain.h"
#include "services/recommender/recommender_metrics.h"

namespace smartshop::recommender {

// Pointers are not owned and must outlive the chain; each may be null (no
// model configured, no builtin model, no metrics).
std::unique_ptr<RankerChain> MakeRankerChain(LlmClient* llm,
                                             PromptBuilder prompt,
                                             const EngineOptions& options,
                                             const InteractionModel* model,
                                             RecommenderMetrics* metrics);

// The other placements' chains: the product page and the cart, each the
// hybrid model over its builtin candidates (only with
// `options.placement_model`, for the answers anonymous visitors share) then
// its builtin ranking; trending, the builtin's alone; recently viewed, the
// shopper's own views. Without a builtin model only recently viewed ranks
// (the others answer top sellers, saying why).
PlacementChains MakePlacementChains(LlmClient* llm, const PromptBuilder& prompt,
                                    const EngineOptions& options,
                                    const InteractionModel* model,
                                    RecommenderMetrics* metrics);

// The home page's chain for each ranker an experiment's variant may ask for
// (experiments.proto), except VARIANT_RANKER_DEFAULT (the service's own
// chain): the builtin ranker alone; the model with the original prompt,
// then the builtin; the model with the hybrid prompt, then the builtin;
// top sellers; the model routed by history length (the service's prompt,
// --model_route_max_history or else 10); the model then the secondary
// model (the service's prompt; as the model without one). The other model
// variants use neither routing nor the secondary model. Without an LLM
// client the model variants rank as the builtin; without a builtin model,
// as top sellers.
VariantChains MakeVariantChains(LlmClient* llm, const PromptBuilder& prompt,
                                const EngineOptions& options,
                                const InteractionModel* model,
                                RecommenderMetrics* metrics);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RANKER_CHAIN_FACTORY_H_
