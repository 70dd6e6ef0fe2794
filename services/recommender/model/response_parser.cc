#include "services/recommender/model/response_parser.h"

#include <cmath>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "boost/json.hpp"

namespace smartshop::recommender {
namespace {

std::optional<boost::json::value> TryParse(absl::string_view text) {
  boost::system::error_code ec;
  boost::json::value value =
      boost::json::parse(std::string_view(text.data(), text.size()), ec);
  if (ec) return std::nullopt;
  return value;
}

// The text inside the first ```json (or ```) fence, as the original did.
absl::string_view Unfence(absl::string_view text) {
  for (absl::string_view opener : {"```json", "```"}) {
    const size_t start = text.find(opener);
    if (start == absl::string_view::npos) continue;
    absl::string_view rest = text.substr(start + opener.size());
    const size_t end = rest.find("```");
    return absl::StripAsciiWhitespace(
        end == absl::string_view::npos ? rest : rest.substr(0, end));
  }
  return text;
}

// The first array in `text`: as a whole, or between the first opening and
// the last closing bracket (prose around the JSON).
std::optional<boost::json::value> FindJson(absl::string_view text) {
  if (auto value = TryParse(text)) return value;
  for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'{', '}'}}) {
    const size_t first = text.find(open);
    const size_t last = text.rfind(close);
    if (first == absl::string_view::npos || last == absl::string_view::npos ||
        last < first) {
      continue;
    }
    if (auto value = TryParse(text.substr(first, last - first + 1))) {
      return value;
    }
  }
  return std::nullopt;
}

const boost::json::array* FindArray(const boost::json::value& value) {
  if (value.is_array()) return &value.get_array();
  if (!value.is_object()) return nullptr;
  const boost::json::object& object = value.get_object();
  for (const char* key : {"recommendations", "products", "items"}) {
    if (auto it = object.find(key);
        it != object.end() && it->value().is_array()) {
      return &it->value().get_array();
    }
  }
  for (const auto& member : object) {
    if (member.value().is_array()) return &member.value().get_array();
  }
  return nullptr;
}

double ScoreOf(const boost::json::object& entry) {
  auto it = entry.find("relevance_score");
  if (it == entry.end()) return kDefaultModelScore;
  double score = kDefaultModelScore;
  if (it->value().is_number()) {
    score = it->value().to_number<double>();
  } else if (it->value().is_string()) {
    const auto& s = it->value().get_string();
    absl::string_view text(s.data(), s.size());
    absl::ConsumeSuffix(&text, "%");  // a "92%" from the model
    if (!absl::SimpleAtod(text, &score)) score = kDefaultModelScore;
  }
  if (!std::isfinite(score)) return kDefaultModelScore;
  return std::clamp(score, 0.0, 100.0);
}

}  // namespace

std::string SanitizeReason(absl::string_view text, size_t max_chars) {
  std::string clean;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      clean.push_back(' ');  // newlines and tabs become spaces
    } else {
      clean.push_back(c);
    }
  }
  absl::string_view trimmed = absl::StripAsciiWhitespace(clean);
  size_t chars = 0;
  size_t end = 0;
  while (end < trimmed.size() && chars < max_chars) {
    ++end;  // step over one UTF-8 character: a lead byte and continuations
    while (end < trimmed.size() &&
           (static_cast<unsigned char>(trimmed[end]) & 0xC0) == 0x80) {
      ++end;
    }
    ++chars;
  }
  return std::string(
      absl::StripTrailingAsciiWhitespace(trimmed.substr(0, end)));
}

absl::StatusOr<std::vector<ModelPick>> ParseModelReply(
    absl::string_view reply) {
  std::optional<boost::json::value> json =
      FindJson(Unfence(absl::StripAsciiWhitespace(reply)));
  if (!json) return absl::InvalidArgumentError("model reply holds no JSON");
  const boost::json::array* array = FindArray(*json);
  if (array == nullptr) {
    return absl::InvalidArgumentError("model reply holds no JSON array");
  }
  std::vector<ModelPick> picks;
  for (size_t i = 0; i < array->size() && i < kMaxPicks; ++i) {
    const boost::json::value& item = (*array)[i];
    if (!item.is_object()) continue;
    const boost::json::object& entry = item.get_object();
    ModelPick pick;
    if (auto id = entry.find("product_id"); id != entry.end() &&
                                            id->value().is_int64() &&
                                            id->value().get_int64() > 0) {
      pick.product_id = id->value().get_int64();
    }
    auto product = entry.find("product");
    if (product != entry.end() && product->value().is_string()) {
      const auto& name = product->value().get_string();
      pick.product = SanitizeReason(absl::string_view(name.data(), name.size()),
                                    /*max_chars=*/512);
    }
    if (pick.product.empty() && pick.product_id == 0) continue;
    pick.relevance_score = ScoreOf(entry);
    if (auto reason = entry.find("reason");
        reason != entry.end() && reason->value().is_string()) {
      const auto& r = reason->value().get_string();
      pick.reason = SanitizeReason(absl::string_view(r.data(), r.size()),
                                   kMaxReasonChars);
    }
    picks.push_back(std::move(pick));
  }
  if (picks.empty()) {
    return absl::InvalidArgumentError(
        "model reply has no entry with a \"product\" string or a "
        "\"product_id\"");
  }
  return picks;
}

}  // namespace smartshop::recommender
