// The model's reply is untrusted text: whatever it holds, parsing must not
// crash, and what comes out keeps the promises of response_parser.h.
#include <cstdint>
#include <cstdlib>

#include "services/recommender/model/response_parser.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace smartshop::recommender;
  const absl::string_view reply(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::vector<ModelPick>> picks = ParseModelReply(reply);
  if (!picks.ok()) return 0;
  Check(!picks->empty() && picks->size() <= static_cast<size_t>(kMaxPicks));
  for (const ModelPick& pick : *picks) {
    Check(pick.relevance_score >= 0 && pick.relevance_score <= 100);
    Check(!pick.product.empty() || pick.product_id > 0);
    Check(pick.product_id >= 0);
    // Reasons: no control characters, at most 200 characters (UTF-8).
    size_t characters = 0;
    for (unsigned char c : pick.reason) {
      Check(c >= 0x20 && c != 0x7f);
      if ((c & 0xC0) != 0x80) ++characters;
    }
    Check(characters <= kMaxReasonChars);
  }
  return 0;
}
