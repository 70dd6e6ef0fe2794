// The model (the LLM) as a Ranker: the original prompt (summary + first 50
// catalog products, answered by name) or the hybrid one (a CandidateSource's
// products with ids, answered by id), the call, the untrusted reply parsed
// and mapped onto the catalog. Each failure is reported with its own reason:
// the client's (ModelFailureReason), a refusal, a reply cut off at
// max_tokens, a structured reply off its schema (read strictly), or a plain
// reply the tolerant parser cannot read.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_RANKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_RANKER_H_

#include <memory>

#include "absl/status/status.h"
#include "services/recommender/circuit_breaker.h"
#include "services/recommender/model/candidate_source.h"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/model/model_budget.h"
#include "services/recommender/model/model_reply_store.h"
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
  CircuitBreakerOptions breaker = {};
  // Usable replies are kept here by their request (model_reply_store.h),
  // and a request asked before is answered from it without a call. Not
  // owned; null = every request is a call.
  ModelReplyStore* replies = nullptr;
  // How long a reply is kept: longer than the answer cache, so that an
  // answer that expired is made again from the same reply when nothing it
  // depends on changed.
  absl::Duration reply_ttl = absl::Hours(24);
  // Bound on each store call.
  absl::Duration store_timeout = absl::Milliseconds(100);
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

// Failures of a reply that did arrive, as fallback reason and metric code
// (in line with ModelFailureReason / ModelFailureCode below).
inline constexpr char kModelRefusedReason[] = "model: refused";
inline constexpr char kModelRefusedCode[] = "model_refused";
inline constexpr char kModelTruncatedReason[] = "model: reply cut off";
inline constexpr char kModelTruncatedCode[] = "model_reply_truncated";
inline constexpr char kModelFilteredReason[] =
    "model: reply withheld by the content filter";
inline constexpr char kModelFilteredCode[] = "model_content_filtered";
inline constexpr char kModelSchemaViolationReason[] =
    "model: reply violates the schema";
inline constexpr char kModelSchemaViolationCode[] = "model_schema_violation";

// The fallback reason for a model failure ("model: rate limited", ...).
std::string ModelFailureReason(const absl::Status& status);
// The same as a metric label ("model_rate_limited", ...).
absl::string_view ModelFailureCode(const absl::Status& status);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_RANKER_H_
