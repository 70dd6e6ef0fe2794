#include "services/recommender/model/prompt_builder.h"

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
  const std::string* hybrid =
      FindPrompt(absl::StrCat("hybrid_", settings.version, ".txt"));
  return PromptBuilder(std::move(settings), *system, *user,
                       hybrid == nullptr ? "" : *hybrid);
}

ChatRequest PromptBuilder::Request(std::string user_message) const {
  ChatRequest request;
  request.model = settings_.model;
  request.temperature = settings_.temperature;
  request.max_tokens = settings_.max_tokens;
  request.messages.push_back({"system", system_});
  request.messages.push_back({"user", std::move(user_message)});
  return request;
}

absl::StatusOr<ChatRequest> PromptBuilder::BuildHybrid(
    const std::vector<ProductActivity>& summary,
    const std::vector<Candidate>& candidates, bool for_user) const {
  if (hybrid_template_.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "no hybrid prompt of version ", settings_.version, " is compiled in"));
  }
  boost::json::array list;
  for (const Candidate& c : candidates) {
    list.push_back({{"product_id", c.product->id()},
                    {"product", DisplayName(*c.product)},
                    {"why", c.why}});
  }
  // Serialised as JSON: catalog text cannot break out of its place.
  return Request(absl::StrReplaceAll(
      hybrid_template_, {{"{user_context}", for_user ? "this specific user"
                                                     : "anonymous visitors"},
                         {"{interaction_summary}", SummaryJson(summary)},
                         {"{candidates}", boost::json::serialize(list)}}));
}

ChatRequest PromptBuilder::Build(const std::vector<ProductActivity>& summary,
                                 const CatalogSnapshot& catalog,
                                 bool for_user) const {
  // One pass over the template: inserted text is never scanned again.
  return Request(absl::StrReplaceAll(
      user_template_, {{"{user_context}",
                        for_user ? "this specific user" : "anonymous visitors"},
                       {"{interaction_summary}", SummaryJson(summary)},
                       {"{product_catalog}", CatalogJson(catalog)}}));
}

}  // namespace smartshop::recommender
