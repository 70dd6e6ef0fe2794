#include "services/recommender/model/prompt_builder.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
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

// "2024-08-06" as 20240806; 0 unless `text` is exactly such a date.
int DateNumber(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return 0;
  int number = 0;
  const std::string digits =
      absl::StrCat(text.substr(0, 4), text.substr(5, 2), text.substr(8, 2));
  return absl::SimpleAtoi(digits, &number) ? number : 0;
}

}  // namespace

absl::StatusOr<StructuredOutput> ParseStructuredOutput(
    absl::string_view text, absl::string_view field) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "auto") return StructuredOutput::kAuto;
  if (lower == "on") return StructuredOutput::kOn;
  if (lower == "off") return StructuredOutput::kOff;
  return absl::InvalidArgumentError(
      absl::StrCat(field, "=", text, " must be auto, on or off"));
}

bool ModelSupportsStructuredOutput(absl::string_view model) {
  const std::string name = absl::AsciiStrToLower(model);
  absl::string_view rest = name;
  if (absl::ConsumePrefix(&rest, "gpt-4o-mini")) return true;
  if (absl::ConsumePrefix(&rest, "gpt-4o")) {
    // The alias, or a snapshot from 2024-08-06 on (2024-05-13 has none).
    if (rest.empty()) return true;
    return absl::ConsumePrefix(&rest, "-") && DateNumber(rest) >= 20240806;
  }
  if (absl::StartsWith(name, "gpt-4.1") || absl::StartsWith(name, "gpt-5")) {
    return true;
  }
  if (absl::StartsWith(name, "o1-mini") ||
      absl::StartsWith(name, "o1-preview")) {
    return false;
  }
  for (absl::string_view family : {"o1", "o3", "o4-mini"}) {
    absl::string_view tail = name;
    if (absl::ConsumePrefix(&tail, family) &&
        (tail.empty() || tail.front() == '-')) {
      return true;
    }
  }
  return false;
}

PromptBuilder::PromptBuilder(PromptSettings settings, std::string system,
                             std::string user_template,
                             std::string hybrid_template)
    : settings_(std::move(settings)),
      system_(std::move(system)),
      user_template_(std::move(user_template)),
      hybrid_template_(std::move(hybrid_template)) {
  structured_ = settings_.structured_output == StructuredOutput::kOn ||
                (settings_.structured_output == StructuredOutput::kAuto &&
                 ModelSupportsStructuredOutput(settings_.model));
}

PromptBuilder PromptBuilder::WithModel(std::string model) const {
  PromptSettings settings = settings_;
  settings.model = std::move(model);
  return PromptBuilder(std::move(settings), system_, user_template_,
                       hybrid_template_);
}

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

ChatRequest PromptBuilder::Request(std::string user_message,
                                   PickKey key) const {
  ChatRequest request;
  request.model = settings_.model;
  request.temperature = settings_.temperature;
  request.max_tokens = settings_.max_tokens;
  request.messages.push_back({"system", system_});
  request.messages.push_back({"user", std::move(user_message)});
  if (structured_) request.response_schema = PicksSchema(key);
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
  return Request(
      absl::StrReplaceAll(hybrid_template_,
                          {{"{user_context}", for_user ? "this specific user"
                                                       : "anonymous visitors"},
                           {"{interaction_summary}", SummaryJson(summary)},
                           {"{candidates}", boost::json::serialize(list)}}),
      PickKey::kProductId);
}

ChatRequest PromptBuilder::Build(const std::vector<ProductActivity>& summary,
                                 const CatalogSnapshot& catalog,
                                 bool for_user) const {
  // One pass over the template: inserted text is never scanned again.
  return Request(
      absl::StrReplaceAll(user_template_,
                          {{"{user_context}", for_user ? "this specific user"
                                                       : "anonymous visitors"},
                           {"{interaction_summary}", SummaryJson(summary)},
                           {"{product_catalog}", CatalogJson(catalog)}}),
      PickKey::kProductName);
}

}  // namespace smartshop::recommender
