// Phase 4 of the original algorithm: the model's reply, untrusted text, made
// into at most 8 picks with sane scores and reasons.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_RESPONSE_PARSER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_RESPONSE_PARSER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/recommender/model/llm_client.h"

namespace smartshop::recommender {

inline constexpr int kMaxPicks = 8;
inline constexpr double kDefaultModelScore = 80.0;
inline constexpr size_t kMaxReasonChars = 200;

struct ModelPick {
  std::string product;  // as the model wrote it, e.g. "Mug (Kitchen)"
  double relevance_score = kDefaultModelScore;  // clamped to [0, 100]
  std::string reason;      // trimmed, no control characters, <= 200 characters
  int64_t product_id = 0;  // hybrid prompt: the candidate's id; 0 = none
};

// Accepts a JSON array of {product, relevance_score, reason}, alone or inside
// a ```json / ``` fence or surrounded by prose, or an object holding such an
// array (e.g. {"recommendations": [...]}). Takes the first 8 entries;
// entries with neither a "product" string nor a positive integer
// "product_id" are skipped. INVALID_ARGUMENT when no
// JSON array can be found or none of its entries is usable.
absl::StatusOr<std::vector<ModelPick>> ParseModelReply(absl::string_view reply);

// How a structured reply names a product: by the id the hybrid prompt
// shows, or by the "Name (Category)" the original prompt lists.
enum class PickKey { kProductId, kProductName };

// The strict JSON schema of the 8 picks, for ChatRequest::response_schema:
//   {"recommendations": [{"product_id": integer >= 1 | "product": string,
//                         "relevance_score": number 0-100,
//                         "reason": string}, 1 to 8 items]}
// with every field required and additionalProperties false (what strict
// mode demands). The reason's 200-character limit is in its description
// only: OpenAI's strict mode has rejected maxLength, and a schema it
// rejects would switch structured output off.
ResponseSchema PicksSchema(PickKey key);

// A reply asked for with PicksSchema(key), checked against it without any
// tolerance: INVALID_ARGUMENT naming what is wrong unless `reply` is exactly
// that JSON object (no fence, no prose, no extra or missing field, no wrong
// type, 1 to 8 items, score within 0-100, product_id >= 1, a non-empty
// product). Reasons are sanitised and cut to 200 characters like
// ParseModelReply's.
absl::StatusOr<std::vector<ModelPick>> ParseStructuredReply(
    absl::string_view reply, PickKey key);

// `text` without control characters, whitespace-trimmed, cut at a UTF-8
// character boundary to at most `max_chars` characters.
std::string SanitizeReason(absl::string_view text, size_t max_chars);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_RESPONSE_PARSER_H_
