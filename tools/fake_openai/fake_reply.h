// What the fake OpenAI server answers to one request: a Chat Completions
// envelope around any content string, an error status, a raw body, a hang
// or a reset connection. Plus builders for the model outputs the
// recommender has to cope with (valid array, markdown fence, prose around
// JSON, duplicates, unknown names).
#ifndef SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_REPLY_H_
#define SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_REPLY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::fake_openai {

// One element of the array the recommendation prompt asks for.
struct FakeRecommendation {
  std::string product;  // "Product Name (Category Name)"
  double relevance_score = 90;
  std::string reason = "popular with similar shoppers";
};

struct FakeReply {
  // prompt_tokens: estimate from the request (about 4 characters a token).
  static constexpr int64_t kEstimateTokens = -1;

  enum class Kind {
    kCompletion,  // 200 + Chat Completions JSON with `content` and usage
    kRaw,         // `status` + `body` as given
    kReset,       // close the connection (TCP RST) without answering
  };
  Kind kind = Kind::kCompletion;
  std::string content;  // kCompletion: choices[0].message.content
  // kCompletion, when set: instead of `content`, these picks written the
  // way the request asks: the JSON object of its response_format schema
  // when it has one, else an array like a model writes; by product_id
  // (the candidates' ids, in the prompt's order) when the prompt shows
  // candidates with ids, else by name.
  std::optional<std::vector<FakeRecommendation>> recommendations;
  // kCompletion, when not empty: message.refusal, with content null.
  std::string refusal;
  std::string finish_reason = "stop";
  // usage.prompt_tokens; kEstimateTokens: from the request's length.
  // usage.prompt_tokens_details.cached_tokens is the server's (see
  // FakeOpenAiServer), never more than this.
  int64_t prompt_tokens = 1200;
  // usage.completion_tokens; kEstimateTokens: from the content's length.
  int64_t completion_tokens = 350;
  int status = 200;  // kRaw
  std::string body;  // kRaw
  std::string content_type = "application/json";
  // Extra response headers, e.g. {"Retry-After", "2"}.
  std::vector<std::pair<std::string, std::string>> headers;
  // Wait this long before acting: a "hang" when longer than the client's
  // deadline. Cut short when the server stops.
  absl::Duration delay = absl::ZeroDuration();
  // Answer with "Connection: close" and close afterwards.
  bool close_connection = false;

  // 200 with `content` in a proper envelope.
  static FakeReply Completion(std::string content);
  // 200 with `items` written as the request asks (see recommendations),
  // prompt and completion tokens estimated.
  static FakeReply Recommendations(std::vector<FakeRecommendation> items);
  // 200 with message.refusal = `text` and content null, as structured
  // outputs report a refusal.
  static FakeReply Refusal(
      std::string text = "I'm sorry, I cannot help with that.");
  // `status` with an OpenAI-style error body {"error": {"message", ...}}.
  static FakeReply Error(int status, absl::string_view message = "");
  // 429 with Retry-After: `retry_after_seconds`.
  static FakeReply RateLimited(int retry_after_seconds);
  static FakeReply Raw(int status, std::string body,
                       std::string content_type = "application/json");
  // 200 with a body that is not JSON.
  static FakeReply NotJson();
  // 200 with JSON that lacks "choices".
  static FakeReply JsonWithoutChoices();
  // No answer for `delay`, then the default completion.
  static FakeReply Hang(absl::Duration delay);
  static FakeReply Reset();
};

// [{"product", "relevance_score", "reason"}, ...] as pretty JSON, like a
// model writes it. Duplicates and unknown names are just elements. With
// `ids`: "product_id": ids[i] instead of the name, items beyond the ids
// left out.
std::string RecommendationsJson(const std::vector<FakeRecommendation>& items,
                                const std::vector<int64_t>& ids = {});
// The same picks as the structured reply's object
// {"recommendations": [{"product" | "product_id", "relevance_score",
// "reason"}]}; by id when `ids` is not empty (ids[i] for items[i], items
// without an id left out).
std::string StructuredRecommendationsJson(
    const std::vector<FakeRecommendation>& items,
    const std::vector<int64_t>& ids = {});
// An object of the structured shape that breaks the schema: a score of 150
// and a field too many.
std::string SchemaViolatingJson();
// ```json\n<json>\n```
std::string InMarkdownFence(absl::string_view json);
// A sentence before and after `json`.
std::string WithProse(absl::string_view json);
// Eight products named after the Online Retail sample data.
std::vector<FakeRecommendation> DefaultRecommendations();

}  // namespace smartshop::fake_openai

#endif  // SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_REPLY_H_
