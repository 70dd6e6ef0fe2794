#include "services/recommender/model/response_parser.h"

#include <cmath>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
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

constexpr char kPicksField[] = "recommendations";
constexpr char kScoreField[] = "relevance_score";
constexpr char kReasonField[] = "reason";

absl::Status Violation(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("reply violates the schema: ", why));
}

absl::string_view View(const boost::json::string& s) {
  return absl::string_view(s.data(), s.size());
}

}  // namespace

ResponseSchema PicksSchema(PickKey key) {
  namespace json = boost::json;
  const bool by_id = key == PickKey::kProductId;
  const char* product_field = by_id ? "product_id" : "product";
  json::object product =
      by_id ? json::object{{"type", "integer"},
                           {"minimum", 1},
                           {"description", "a product_id from the candidates"}}
            : json::object{{"type", "string"},
                           {"description",
                            "Product Name (Category Name) as listed in the "
                            "catalog"}};
  json::object item{
      {"type", "object"},
      {"properties",
       json::object{
           {product_field, std::move(product)},
           {kScoreField,
            json::object{{"type", "number"}, {"minimum", 0}, {"maximum", 100}}},
           {kReasonField,
            json::object{
                {"type", "string"},
                {"description", "brief reason, at most 200 characters"}}}}},
      {"required", json::array{product_field, kScoreField, kReasonField}},
      {"additionalProperties", false}};
  json::object schema{
      {"type", "object"},
      {"properties",
       json::object{{kPicksField, json::object{{"type", "array"},
                                               {"minItems", 1},
                                               {"maxItems", kMaxPicks},
                                               {"items", std::move(item)}}}}},
      {"required", json::array{kPicksField}},
      {"additionalProperties", false}};
  return ResponseSchema{by_id ? "product_picks_by_id" : "product_picks_by_name",
                        std::move(schema)};
}

absl::StatusOr<std::vector<ModelPick>> ParseStructuredReply(
    absl::string_view reply, PickKey key) {
  std::optional<boost::json::value> json = TryParse(reply);
  if (!json) return Violation("not JSON");
  const boost::json::object* root = json->if_object();
  if (root == nullptr) return Violation("not an object");
  const boost::json::value* list = root->if_contains(kPicksField);
  if (list == nullptr || !list->is_array()) {
    return Violation("no \"recommendations\" array");
  }
  if (root->size() != 1) return Violation("fields besides \"recommendations\"");
  const boost::json::array& items = list->get_array();
  if (items.empty()) return Violation("no recommendations");
  if (items.size() > kMaxPicks) {
    return Violation(absl::StrCat(items.size(), " recommendations, at most ",
                                  kMaxPicks, " allowed"));
  }
  const bool by_id = key == PickKey::kProductId;
  const char* product_field = by_id ? "product_id" : "product";
  std::vector<ModelPick> picks;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string where = absl::StrCat("recommendations[", i, "]");
    const boost::json::object* entry = items[i].if_object();
    if (entry == nullptr)
      return Violation(absl::StrCat(where, " not an object"));
    if (entry->size() != 3) {
      return Violation(absl::StrCat(where, " must have exactly ", product_field,
                                    ", relevance_score, reason"));
    }
    ModelPick pick;
    const boost::json::value* product = entry->if_contains(product_field);
    if (by_id) {
      if (product == nullptr || !product->is_int64() ||
          product->get_int64() < 1) {
        return Violation(
            absl::StrCat(where, ".product_id is not a positive integer"));
      }
      pick.product_id = product->get_int64();
    } else {
      if (product == nullptr || !product->is_string()) {
        return Violation(absl::StrCat(where, ".product is not a string"));
      }
      pick.product =
          SanitizeReason(View(product->get_string()), /*max_chars=*/512);
      if (pick.product.empty()) {
        return Violation(absl::StrCat(where, ".product is empty"));
      }
    }
    const boost::json::value* score = entry->if_contains(kScoreField);
    if (score == nullptr || !score->is_number()) {
      return Violation(absl::StrCat(where, ".relevance_score is not a number"));
    }
    pick.relevance_score = score->to_number<double>();
    if (!std::isfinite(pick.relevance_score) || pick.relevance_score < 0 ||
        pick.relevance_score > 100) {
      return Violation(absl::StrCat(where, ".relevance_score outside 0-100"));
    }
    const boost::json::value* reason = entry->if_contains(kReasonField);
    if (reason == nullptr || !reason->is_string()) {
      return Violation(absl::StrCat(where, ".reason is not a string"));
    }
    pick.reason = SanitizeReason(View(reason->get_string()), kMaxReasonChars);
    picks.push_back(std::move(pick));
  }
  return picks;
}

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
