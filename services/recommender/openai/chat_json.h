// The Chat Completions wire format: the request body, the reply, OpenAI's
// error body and Retry-After. Pure functions, so that every odd reply is
// tested without a server.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_CHAT_JSON_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_CHAT_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/openai/openai_options.h"

namespace smartshop::recommender {

// {"model", "messages": [{"role", "content"}...], "temperature",
// "max_tokens"} as compact JSON, plus, when request.response_schema is set,
// "response_format": {"type": "json_schema", "json_schema": {"name",
// "strict": true, "schema"}}.
std::string BuildChatCompletionsBody(const ChatRequest& request);

// DATA_LOSS unless `body` is a Chat Completions object whose
// choices[0].message has a string content or a string refusal (then
// content is ""). finish_reason is copied. Missing usage counts as zero
// tokens, missing usage.prompt_tokens_details.cached_tokens as none cached;
// the cost is estimated from `prices`. `structured` is left false (the
// client knows what it sent).
absl::StatusOr<ChatCompletion> ParseChatCompletionsBody(
    absl::string_view body, const TokenPrices& prices);

// `cached_prompt_tokens` (part of `prompt_tokens`) at the cached input
// price, the rest of the prompt at the input price, the completion at the
// output price.
double EstimateCostUsd(int64_t prompt_tokens, int64_t cached_prompt_tokens,
                       int64_t completion_tokens, const TokenPrices& prices);

// Whether an error reply says that response_format / json_schema is not
// supported (a gateway or model without structured outputs): HTTP 400
// whose error message or error.param mentions either.
bool RejectsResponseFormat(int http_status, absl::string_view body);

// error.message of an OpenAI error body, cut to `max_chars`; "" when there
// is none. Lets a status say "The model `x` does not exist" rather than
// just "HTTP 404".
std::string ErrorMessageFromBody(absl::string_view body,
                                 size_t max_chars = 200);

// How long a 429 asks the client to wait: OpenAI's retry-after-ms header
// when present, else Retry-After in (possibly fractional) seconds. nullopt
// when both are absent or unparsable (an HTTP date is not supported: OpenAI
// sends seconds).
std::optional<absl::Duration> ParseRetryAfter(absl::string_view retry_after_ms,
                                              absl::string_view retry_after);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_CHAT_JSON_H_
