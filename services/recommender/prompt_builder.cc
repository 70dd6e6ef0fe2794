#include "services/recommender/prompt_builder.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "boost/json.hpp"

namespace smartshop::recommender {
namespace {

const std::string* FindPrompt(const std::string& name) {
  for (const EmbeddedFile& file : EmbeddedPrompts()) {
    if (file.name == name) return &file.content;
  }
  return nullptr;
}

std::string CatalogJson(const CatalogSnapshot& catalog) {
  std::string out = "[";
  const auto& products = catalog.active_by_id();
  const size_t n = std::min<size_t>(products.size(), kPromptCatalogSize);
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppend(
        &out, i == 0 ? "\n  " : ",\n  ",
        boost::json::serialize(boost::json::string(DisplayName(*products[i]))));
  }
  absl::StrAppend(&out, n == 0 ? "]" : "\n]");
  return out;
}

}  // namespace

absl::StatusOr<PromptBuilder> PromptBuilder::Create(PromptSettings settings) {
  const std::string* system =
      FindPrompt(absl::StrCat("system_", settings.version, ".txt"));
  const std::string* user =
      FindPrompt(absl::StrCat("recommendation_", settings.version, ".txt"));
  if (system == nullptr || user == nullptr) {
    return absl::NotFoundError(absl::StrCat("prompt version ", settings.version,
                                            " is not compiled in"));
  }
  return PromptBuilder(std::move(settings), *system, *user);
}

ChatRequest PromptBuilder::Build(const std::vector<ProductActivity>& summary,
                                 const CatalogSnapshot& catalog,
                                 bool for_user) const {
  ChatRequest request;
  request.model = settings_.model;
  request.temperature = settings_.temperature;
  request.max_tokens = settings_.max_tokens;
  request.messages.push_back({"system", system_});
  // One pass over the template: inserted text is never scanned again.
  request.messages.push_back(
      {"user",
       absl::StrReplaceAll(user_template_,
                           {{"{user_context}", for_user ? "this specific user"
                                                        : "anonymous visitors"},
                            {"{interaction_summary}", SummaryJson(summary)},
                            {"{product_catalog}", CatalogJson(catalog)}})});
  return request;
}

}  // namespace smartshop::recommender
