// The model (the LLM) as a Ranker: the original prompt (summary + first 50
// catalog products, answered by name) or the hybrid one (a CandidateSource's
// products with ids, answered by id), the call, the untrusted reply parsed
// and mapped onto the catalog. Each failure is reported with its own reason.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_RANKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_RANKER_H_

#include <memory>

#include "absl/status/status.h"
#include "services/recommender/circuit_breaker.h"
#include "services/recommender/model/candidate_source.h"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/model/model_budget.h"
#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/ranker.h"
#include "services/recommender/recommender_metrics.h"

namespace smartshop::recommender {

struct ModelRankerOptions {
  // Bound on the model call (the caller's deadline may be shorter).
  absl::Duration model_timeout = absl::Seconds(20);
  // Kept free before the caller's deadline to build a fallback.
  absl::Duration reply_margin = absl::Milliseconds(50);
  // After this many failed calls in a row the model is not called for a
  // cool-down (answers fall back at once), then probed once.
  CircuitBreakerOptions breaker;
  // Not owned; null = no caps. Shared by every ModelRanker of the process:
  // past a cap the model is not called ("model: budget reached").
  ModelBudget* budget = nullptr;
};

class ModelRanker : public Ranker {
 public:
  // `llm` and `metrics` are not owned and must outlive this; `candidates`
  // and `metrics` may be null (the original prompt, no metrics).
  ModelRanker(LlmClient* llm, PromptBuilder prompt, ModelRankerOptions options,
              std::unique_ptr<const CandidateSource> candidates,
              RecommenderMetrics* metrics);

  std::variant<Ranking, RankingFailure> Rank(const RankingRequest& request,
                                             absl::Time deadline) override;

 private:
  LlmClient* const llm_;
  const PromptBuilder prompt_;
  const ModelRankerOptions options_;
  const std::unique_ptr<const CandidateSource> candidates_;
  RecommenderMetrics* const metrics_;
  CircuitBreaker breaker_;
};

// The fallback reason for a model failure ("model: rate limited", ...).
std::string ModelFailureReason(const absl::Status& status);
// The same as a metric label ("model_rate_limited", ...).
absl::string_view ModelFailureCode(const absl::Status& status);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_RANKER_H_
