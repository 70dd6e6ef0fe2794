#include "tools/fake_openai/fake_reply.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/json.hpp"

namespace smartshop::fake_openai {
namespace {

namespace json = boost::json;

// The category the importer gives every Online Retail product.
constexpr char kCategory[] = "Online Retail (uncategorised)";

}  // namespace

FakeReply FakeReply::Completion(std::string content) {
  FakeReply reply;
  reply.content = std::move(content);
  return reply;
}

FakeReply FakeReply::Recommendations(std::vector<FakeRecommendation> items) {
  FakeReply reply;
  reply.recommendations = std::move(items);
  reply.prompt_tokens = kEstimateTokens;
  reply.completion_tokens = kEstimateTokens;
  return reply;
}

FakeReply FakeReply::Refusal(std::string text) {
  FakeReply reply;
  reply.refusal = std::move(text);
  reply.completion_tokens = 12;
  return reply;
}

FakeReply FakeReply::Error(int status, absl::string_view message) {
  const std::string type = status == 429   ? "rate_limit_exceeded"
                           : status >= 500 ? "server_error"
                                           : "invalid_request_error";
  json::object error{
      {"message", message.empty() ? absl::StrCat("fake error ", status)
                                  : std::string(message)},
      {"type", type},
      {"param", nullptr},
      {"code", nullptr}};
  return Raw(status, json::serialize(json::object{{"error", error}}));
}

FakeReply FakeReply::RateLimited(int retry_after_seconds) {
  FakeReply reply = Error(429, "Rate limit reached for requests");
  reply.headers.emplace_back("Retry-After",
                             std::to_string(retry_after_seconds));
  return reply;
}

FakeReply FakeReply::Raw(int status, std::string body,
                         std::string content_type) {
  FakeReply reply;
  reply.kind = Kind::kRaw;
  reply.status = status;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  return reply;
}

FakeReply FakeReply::NotJson() {
  return Raw(200, "<html><body>502 Bad Gateway</body></html>", "text/html");
}

FakeReply FakeReply::JsonWithoutChoices() {
  return Raw(200, R"({"id":"chatcmpl-fake","object":"chat.completion"})");
}

FakeReply FakeReply::Hang(absl::Duration delay) {
  FakeReply reply = Recommendations(DefaultRecommendations());
  reply.delay = delay;
  return reply;
}

FakeReply FakeReply::Reset() {
  FakeReply reply;
  reply.kind = Kind::kReset;
  return reply;
}

std::string RecommendationsJson(const std::vector<FakeRecommendation>& items,
                                const std::vector<int64_t>& ids) {
  // Pretty-printed by hand (Boost.JSON 1.81 has no pretty printer): models
  // answer with one object per line, and parsers should see that shape.
  const size_t n =
      ids.empty() ? items.size() : std::min(items.size(), ids.size());
  std::string out = "[\n";
  for (size_t i = 0; i < n; ++i) {
    const FakeRecommendation& item = items[i];
    // Numbers by hand too: Boost.JSON writes 97.5 as 9.75E1, which no
    // model does.
    const std::string key =
        ids.empty() ? absl::StrCat("\"product\": ",
                                   json::serialize(json::string(item.product)))
                    : absl::StrCat("\"product_id\": ", ids[i]);
    absl::StrAppend(
        &out, "  {", key, ", \"relevance_score\": ", item.relevance_score,
        ", \"reason\": ", json::serialize(json::string(item.reason)),
        i + 1 < n ? "},\n" : "}\n");
  }
  out += "]";
  return out;
}

std::string StructuredRecommendationsJson(
    const std::vector<FakeRecommendation>& items,
    const std::vector<int64_t>& ids) {
  // Compact, as structured outputs come; numbers by hand as above.
  std::string out = "{\"recommendations\":[";
  bool first = true;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!ids.empty() && i >= ids.size()) break;
    const FakeRecommendation& item = items[i];
    absl::StrAppend(&out, first ? "" : ",", "{");
    first = false;
    if (ids.empty()) {
      absl::StrAppend(
          &out, "\"product\":", json::serialize(json::string(item.product)));
    } else {
      absl::StrAppend(&out, "\"product_id\":", ids[i]);
    }
    absl::StrAppend(&out, ",\"relevance_score\":", item.relevance_score,
                    ",\"reason\":", json::serialize(json::string(item.reason)),
                    "}");
  }
  out += "]}";
  return out;
}

std::string SchemaViolatingJson() {
  return R"({"recommendations":[{"product":"HAND WARMER OWL DESIGN",)"
         R"("relevance_score":150,"reason":"too good","extra":true}]})";
}

std::string InMarkdownFence(absl::string_view json) {
  return absl::StrCat("```json\n", json, "\n```");
}

std::string WithProse(absl::string_view json) {
  return absl::StrCat(
      "Here are 8 products this shopper is likely to enjoy:\n\n", json,
      "\n\nThese balance popular items with a few discoveries.");
}

std::vector<FakeRecommendation> DefaultRecommendations() {
  const char* const kNames[] = {
      "HAND WARMER UNION JACK",         "HAND WARMER SCOTTY DOG DESIGN",
      "HAND WARMER OWL DESIGN",         "WHITE HANGING HEART T-LIGHT HOLDER",
      "PAPER CHAIN KIT 50'S CHRISTMAS", "PAPER CHAIN KIT VINTAGE CHRISTMAS",
      "HAND WARMER RED RETROSPOT",      "HAND WARMER BIRD DESIGN",
  };
  std::vector<FakeRecommendation> items;
  double score = 97.5;
  for (const char* name : kNames) {
    items.push_back({absl::StrCat(name, " (", kCategory, ")"), score,
                     "frequently bought in this season"});
    score -= 4.5;
  }
  return items;
}

}  // namespace smartshop::fake_openai
