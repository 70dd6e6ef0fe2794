// A chat-completion model behind a narrow interface, so that the
// recommendation logic is tested with fakes and the HTTPS adapter
// (openai/openai_client.h) is tested against a fake server.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_LLM_CLIENT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_LLM_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "boost/json/value.hpp"

namespace smartshop::recommender {

struct ChatMessage {
  std::string role;  // "system" or "user"
  std::string content;
};

// A JSON schema the reply must follow (OpenAI's structured outputs, sent
// as response_format json_schema with strict: true).
struct ResponseSchema {
  std::string name;           // a-z, A-Z, 0-9, '_' and '-', at most 64
  boost::json::value schema;  // the JSON Schema object
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  double temperature = 0.7;
  int max_tokens = 1000;
  // Set: ask for structured output. A client that finds the server does
  // not support it sends the request without and says so in
  // ChatCompletion::structured.
  std::optional<ResponseSchema> response_schema;
};

struct ChatCompletion {
  std::string content;        // choices[0].message.content; "" for a refusal
  int64_t prompt_tokens = 0;  // all of the prompt, cached ones included
  int64_t completion_tokens = 0;
  double estimated_cost_usd = 0;
  // Prompt tokens served from OpenAI's prompt cache (cheaper);
  // usage.prompt_tokens_details.cached_tokens, 0 when absent.
  int64_t cached_prompt_tokens = 0;
  // choices[0].message.refusal: the model declined (structured outputs
  // report it here instead of in content). "" = no refusal.
  std::string refusal = {};
  // choices[0].finish_reason: "stop", "length" (cut off by max_tokens),
  // "content_filter", ...; "" when absent.
  std::string finish_reason = {};
  // True when the request went out with its response_schema, so the
  // content must follow it; false for plain requests and after a fallback.
  bool structured = false;
};

class LlmClient {
 public:
  virtual ~LlmClient() = default;

  // One completion, finished or abandoned by `deadline`. Thread-safe.
  // Each failure has its own code, so that callers and metrics can tell
  // them apart:
  //   UNAUTHENTICATED / PERMISSION_DENIED  the key was refused (401 / 403)
  //   RESOURCE_EXHAUSTED  rate limited (429) and Retry-After did not fit
  //   UNAVAILABLE         network error, TLS failure, 5xx after one retry
  //   DEADLINE_EXCEEDED   no answer by the deadline
  //   DATA_LOSS           a reply that is not the Chat Completions shape
  // A refusal or a cut-off reply is OK here (the fields say so): whether it
  // is usable is the caller's decision.
  //   FAILED_PRECONDITION not configured (no key)
  virtual absl::StatusOr<ChatCompletion> Complete(const ChatRequest& request,
                                                  absl::Time deadline) = 0;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_LLM_CLIENT_H_
