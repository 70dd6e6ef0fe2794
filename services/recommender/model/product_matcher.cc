#include "services/recommender/model/product_matcher.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Product;

const Product* FindExact(const CatalogSnapshot& catalog,
                         const std::string& lower_display,
                         const std::string& lower_name) {
  const auto& products = catalog.active_by_id();
  const auto& names = catalog.active_lower_names();
  for (size_t i = 0; i < products.size(); ++i) {
    if (names[i] == lower_name &&
        absl::AsciiStrToLower(DisplayName(*products[i])) == lower_display) {
      return products[i];
    }
  }
  for (size_t i = 0; i < products.size(); ++i) {
    if (names[i] == lower_name) return products[i];
  }
  return nullptr;
}

const Product* FindSubstring(const CatalogSnapshot& catalog,
                             absl::string_view lower_part) {
  // An empty part would match every product: the original's silent error.
  if (lower_part.empty()) return nullptr;
  const auto& names = catalog.active_lower_names();
  for (size_t i = 0; i < names.size(); ++i) {
    if (absl::StrContains(names[i], lower_part)) {
      return catalog.active_by_id()[i];
    }
  }
  return nullptr;
}

// "Name (Category)" -> "Name": strips one trailing parenthesised part.
absl::string_view WithoutTrailingCategory(absl::string_view text) {
  if (!absl::EndsWith(text, ")")) return text;
  const size_t open = text.rfind(" (");
  return open == absl::string_view::npos ? text : text.substr(0, open);
}

}  // namespace

MatchResult MatchPicks(const std::vector<ModelPick>& picks,
                       const CatalogSnapshot& catalog) {
  MatchResult result;
  absl::flat_hash_set<int64_t> chosen;
  for (const ModelPick& pick : picks) {
    const std::string lower = absl::AsciiStrToLower(pick.product);
    const std::string lower_name(
        absl::StripAsciiWhitespace(WithoutTrailingCategory(lower)));
    const Product* product = FindExact(catalog, lower, lower_name);
    if (product == nullptr) {
      const size_t cut = lower.find(" (");
      product = FindSubstring(
          catalog, absl::StripAsciiWhitespace(absl::string_view(lower).substr(
                       0, cut == std::string::npos ? lower.size() : cut)));
    }
    if (product == nullptr) {
      ++result.unmatched;
    } else if (!chosen.insert(product->id()).second) {
      ++result.duplicates;
    } else {
      result.matched.push_back({product, pick.relevance_score, pick.reason});
    }
  }
  return result;
}

MatchResult MatchPicksById(
    const std::vector<ModelPick>& picks,
    const std::vector<const smartshop::v1::Product*>& candidates) {
  MatchResult result;
  absl::flat_hash_map<int64_t, const smartshop::v1::Product*> by_id;
  for (const auto* product : candidates) by_id[product->id()] = product;
  absl::flat_hash_set<int64_t> chosen;
  for (const ModelPick& pick : picks) {
    auto it = by_id.find(pick.product_id);
    if (it == by_id.end()) {
      ++result.unmatched;
    } else if (!chosen.insert(pick.product_id).second) {
      ++result.duplicates;
    } else {
      result.matched.push_back({it->second, pick.relevance_score, pick.reason});
    }
  }
  return result;
}

}  // namespace smartshop::recommender
