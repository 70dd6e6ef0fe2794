// Phase 3 of the original algorithm: the chat request for the model, built
// from the versioned prompt templates in prompts/ (compiled in).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PROMPT_BUILDER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PROMPT_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/embedded_file.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/model/response_parser.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

// prompts/*.txt as compiled into this binary.
const std::vector<EmbeddedFile>& EmbeddedPrompts();

inline constexpr int kPromptCatalogSize = 50;

// Whether requests ask for structured output (response_format json_schema,
// strict) with the picks' schema. kAuto: when the model is known to
// support it (ModelSupportsStructuredOutput).
enum class StructuredOutput { kAuto, kOn, kOff };

// "auto", "on" or "off"; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<StructuredOutput> ParseStructuredOutput(absl::string_view text,
                                                       absl::string_view field);

// Models with strict structured outputs: gpt-4o-mini, gpt-4o (the alias and
// snapshots from 2024-08-06), gpt-4.1*, gpt-5*, o1 (not o1-mini /
// o1-preview), o3*, o4-mini*. Unknown names: false (the tolerant parser
// then reads the reply).
bool ModelSupportsStructuredOutput(absl::string_view model);

struct PromptSettings {
  std::string model = "gpt-4o-mini";
  double temperature = 0.7;
  int max_tokens = 1000;
  // Template version: prompts/system_<v>.txt and recommendation_<v>.txt
  // (and hybrid_<v>.txt). v1: the original's prompt, the shopper's data in
  // the middle. v2: the same text with the stable part first (instructions
  // and the catalog or candidates) and the shopper's data last, so that
  // OpenAI's prompt caching can discount the shared prefix.
  std::string version = "v2";
  // Off here so that code building prompts directly (tests, benchmarks)
  // keeps the plain request; the service's flag defaults to auto.
  StructuredOutput structured_output = StructuredOutput::kOff;
};

class PromptBuilder {
 public:
  // NOT_FOUND when the templates of `settings.version` are not compiled in.
  static absl::StatusOr<PromptBuilder> Create(PromptSettings settings);

  // Whether requests carry the picks' schema (settings and model).
  bool structured() const { return structured_; }

  // The same prompt for another model (the secondary model): the same
  // templates, the structured-output choice made again for `model`.
  PromptBuilder WithModel(std::string model) const;

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
    // Where the builtin ranker found it (a product page's SIMILAR fill):
    // what the answer reports when the model leaves it unpicked.
    smartshop::v1::RecommendationSource source = smartshop::v1::BUILTIN;
  };
  // The hybrid prompt (prompts/hybrid_<v>.txt): the summary and the builtin
  // ranker's candidates with their ids, answered with ids. FAILED_PRECONDITION
  // when no hybrid template of this version is compiled in.
  absl::StatusOr<ChatRequest> BuildHybrid(
      const std::vector<ProductActivity>& summary,
      const std::vector<Candidate>& candidates, bool for_user) const;

 private:
  PromptBuilder(PromptSettings settings, std::string system,
                std::string user_template, std::string hybrid_template);

  ChatRequest Request(std::string user_message, PickKey key) const;

  PromptSettings settings_;
  bool structured_ = false;
  std::string system_;
  std::string user_template_;
  std::string hybrid_template_;  // empty = not compiled in
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_PROMPT_BUILDER_H_
