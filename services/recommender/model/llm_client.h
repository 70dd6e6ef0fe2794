// A chat-completion model behind a narrow interface, so that the
// recommendation logic is tested with fakes and the HTTPS adapter
// (openai/openai_client.h) is tested against a fake server.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_LLM_CLIENT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_LLM_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace smartshop::recommender {

struct ChatMessage {
  std::string role;  // "system" or "user"
  std::string content;
};

struct ChatRequest {
  std::string model;
  std::vector<ChatMessage> messages;
  double temperature = 0.7;
  int max_tokens = 1000;
};

struct ChatCompletion {
  std::string content;  // choices[0].message.content
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  double estimated_cost_usd = 0;
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
  //   FAILED_PRECONDITION not configured (no key)
  virtual absl::StatusOr<ChatCompletion> Complete(const ChatRequest& request,
                                                  absl::Time deadline) = 0;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_LLM_CLIENT_H_
