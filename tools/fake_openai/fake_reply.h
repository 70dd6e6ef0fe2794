// What the fake OpenAI server answers to one request: a Chat Completions
// envelope around any content string, an error status, a raw body, a hang
// or a reset connection. Plus builders for the model outputs the
// recommender has to cope with (valid array, markdown fence, prose around
// JSON, duplicates, unknown names).
#ifndef SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_REPLY_H_
#define SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_REPLY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::fake_openai {

struct FakeReply {
  enum class Kind {
    kCompletion,  // 200 + Chat Completions JSON with `content` and usage
    kRaw,         // `status` + `body` as given
    kReset,       // close the connection (TCP RST) without answering
  };
  Kind kind = Kind::kCompletion;
  std::string content;  // kCompletion: choices[0].message.content
  int64_t prompt_tokens = 1200;
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

// One element of the array the recommendation prompt asks for.
struct FakeRecommendation {
  std::string product;  // "Product Name (Category Name)"
  double relevance_score = 90;
  std::string reason = "popular with similar shoppers";
};

// [{"product", "relevance_score", "reason"}, ...] as pretty JSON, like a
// model writes it. Duplicates and unknown names are just elements.
std::string RecommendationsJson(const std::vector<FakeRecommendation>& items);
// ```json\n<json>\n```
std::string InMarkdownFence(absl::string_view json);
// A sentence before and after `json`.
std::string WithProse(absl::string_view json);
// Eight products named after the Online Retail sample data.
std::vector<FakeRecommendation> DefaultRecommendations();

}  // namespace smartshop::fake_openai

#endif  // SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_REPLY_H_
