#include "services/tracking/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace smartshop::tracking {
namespace {

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token: not a token from a previous reply of this listing");
}

// Splits a decoded token "tag:a:b:..." into numbers after checking the tag.
absl::StatusOr<std::vector<int64_t>> DecodeNumbers(absl::string_view token,
                                                   absl::string_view tag,
                                                   size_t count) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return BadToken();
  std::vector<absl::string_view> parts = absl::StrSplit(text, ':');
  if (parts.size() != count + 1 || parts[0] != tag) return BadToken();
  std::vector<int64_t> numbers(count);
  for (size_t i = 0; i < count; ++i) {
    if (!absl::SimpleAtoi(parts[i + 1], &numbers[i])) return BadToken();
  }
  return numbers;
}

}  // namespace

std::string EncodeInteractionToken(const InteractionCursor& cursor) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("i1:", cursor.timestamp_micros, ":", cursor.sequence));
}

absl::StatusOr<InteractionCursor> DecodeInteractionToken(
    absl::string_view token) {
  absl::StatusOr<std::vector<int64_t>> numbers = DecodeNumbers(token, "i1", 2);
  if (!numbers.ok()) return numbers.status();
  // Within google.protobuf.Timestamp's range (0001 to 9999), so that a forged
  // token cannot overflow Postgres's interval arithmetic into a database
  // error.
  constexpr int64_t kMinMicros = -62'135'596'800 * int64_t{1'000'000};
  constexpr int64_t kMaxMicros = 253'402'300'800 * int64_t{1'000'000} - 1;
  if ((*numbers)[0] < kMinMicros || (*numbers)[0] > kMaxMicros ||
      (*numbers)[1] < 0) {
    return BadToken();
  }
  return InteractionCursor{(*numbers)[0], (*numbers)[1]};
}

std::string EncodeProductToken(const ProductQuery& query,
                               const ProductCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(
      "p1:", static_cast<int>(query.order), ":", query.active_only ? 1 : 0, ":",
      cursor.units_sold, ":", cursor.id));
}

absl::StatusOr<ProductCursor> DecodeProductToken(absl::string_view token,
                                                 const ProductQuery& query) {
  absl::StatusOr<std::vector<int64_t>> numbers = DecodeNumbers(token, "p1", 4);
  if (!numbers.ok()) return numbers.status();
  if ((*numbers)[0] != static_cast<int>(query.order) ||
      (*numbers)[1] != (query.active_only ? 1 : 0)) {
    return absl::InvalidArgumentError(
        "page_token: made for another order_by or active_only");
  }
  return ProductCursor{(*numbers)[2], (*numbers)[3]};
}

}  // namespace smartshop::tracking
