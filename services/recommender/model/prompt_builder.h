// Phase 3 of the original algorithm: the chat request for the model, built
// from the versioned prompt templates in prompts/ (compiled in).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PROMPT_BUILDER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PROMPT_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/embedded_file.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/model/llm_client.h"

namespace smartshop::recommender {

// prompts/*.txt as compiled into this binary.
const std::vector<EmbeddedFile>& EmbeddedPrompts();

inline constexpr int kPromptCatalogSize = 50;

struct PromptSettings {
  std::string model = "gpt-4o-mini";
  double temperature = 0.7;
  int max_tokens = 1000;
  // Template version: prompts/system_<v>.txt and recommendation_<v>.txt.
  std::string version = "v1";
};

class PromptBuilder {
 public:
  // NOT_FOUND when the templates of `settings.version` are not compiled in.
  static absl::StatusOr<PromptBuilder> Create(PromptSettings settings);

  // The request for one user ("this specific user") or for anonymous
  // visitors: the summary, then the first 50 active products (by id) as
  // "Name (Category)". Values are inserted as JSON, so text from the catalog
  // cannot break out of its place in the prompt.
  ChatRequest Build(const std::vector<ProductActivity>& summary,
                    const CatalogSnapshot& catalog, bool for_user) const;

  // A builtin candidate shown to the model in the hybrid prompt.
  struct Candidate {
    const smartshop::v1::Product* product;
    std::string why;  // the builtin ranker's reason
  };
  // The hybrid prompt (prompts/hybrid_<v>.txt): the summary and the builtin
  // ranker's candidates with their ids, answered with ids. FAILED_PRECONDITION
  // when no hybrid template of this version is compiled in.
  absl::StatusOr<ChatRequest> BuildHybrid(
      const std::vector<ProductActivity>& summary,
      const std::vector<Candidate>& candidates, bool for_user) const;

 private:
  PromptBuilder(PromptSettings settings, std::string system,
                std::string user_template, std::string hybrid_template)
      : settings_(std::move(settings)),
        system_(std::move(system)),
        user_template_(std::move(user_template)),
        hybrid_template_(std::move(hybrid_template)) {}

  ChatRequest Request(std::string user_message) const;

  PromptSettings settings_;
  std::string system_;
  std::string user_template_;
  std::string hybrid_template_;  // empty = not compiled in
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PROMPT_BUILDER_H_
