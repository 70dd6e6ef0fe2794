#include "services/recommender/catalog_snapshot.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/stable_hash.h"

namespace smartshop::recommender {

using smartshop::v1::MerchandisingRule;
using smartshop::v1::Product;

CatalogSnapshot::CatalogSnapshot(std::vector<Product> products,
                                 absl::Time loaded_at,
                                 std::vector<MerchandisingRule> rules)
    : products_(std::move(products)),
      rules_(std::move(rules)),
      loaded_at_(loaded_at) {
  std::sort(products_.begin(), products_.end(),
            [](const Product& a, const Product& b) { return a.id() < b.id(); });
  for (size_t i = 0; i < products_.size(); ++i) {
    index_[products_[i].id()] = i;
    if (products_[i].is_active()) {
      active_by_id_.push_back(&products_[i]);
      if (products_[i].category_id() > 0) {
        active_by_category_[products_[i].category_id()].push_back(
            &products_[i]);
        auto& by_word = active_by_category_word_[products_[i].category_id()];
        for (std::string& word : NameWords(products_[i].name())) {
          by_word[std::move(word)].push_back(&products_[i]);
        }
      }
      active_lower_names_.push_back(absl::AsciiStrToLower(products_[i].name()));
    }
  }
  for (const auto& [category, members] : active_by_category_) {
    std::string canonical;
    for (const Product* p : members) {
      // Unit and record separators keep names from running into ids.
      absl::StrAppend(&canonical, p->id(), "\x1f", p->name(), "\x1f",
                      p->has_stock() && p->stock() == 0 ? "0" : "1", "\x1e");
    }
    category_fingerprints_[category] = StableHash64(canonical);
  }
  top_sellers_ = active_by_id_;
  std::stable_sort(top_sellers_.begin(), top_sellers_.end(),
                   [](const Product* a, const Product* b) {
                     if (a->units_sold() != b->units_sold()) {
                       return a->units_sold() > b->units_sold();
                     }
                     return a->id() > b->id();
                   });
  std::sort(rules_.begin(), rules_.end(),
            [](const MerchandisingRule& a, const MerchandisingRule& b) {
              return a.id() < b.id();
            });
  for (const MerchandisingRule& rule : rules_) {
    switch (rule.target_case()) {
      case MerchandisingRule::kProductId:
        rules_by_product_[rule.product_id()].push_back(&rule);
        break;
      case MerchandisingRule::kCategoryId:
        rules_by_category_[rule.category_id()].push_back(&rule);
        break;
      case MerchandisingRule::kAllProducts:
        rules_for_all_.push_back(&rule);
        break;
      case MerchandisingRule::TARGET_NOT_SET:
        break;
    }
    if (rule.action() == smartshop::v1::MERCHANDISING_PIN &&
        (rule.has_product_id() || rule.has_category_id())) {
      pins_.push_back(&rule);
      if (rule.has_category_id()) pin_candidates_[rule.category_id()];
    }
  }
  // One pass over the top sellers fills every pinned category, best
  // sellers first; sold-out products can never be pinned, so they are
  // left out.
  if (!pin_candidates_.empty()) {
    for (const Product* p : top_sellers_) {
      auto it = pin_candidates_.find(p->category_id());
      if (it != pin_candidates_.end() && !(p->has_stock() && p->stock() == 0)) {
        it->second.push_back(p);
      }
    }
  }
  // By position; at one position a product's pin before a category's,
  // then by id (rules_ is sorted by id).
  std::stable_sort(
      pins_.begin(), pins_.end(),
      [](const MerchandisingRule* a, const MerchandisingRule* b) {
        return std::make_pair(a->pin_position(), !a->has_product_id()) <
               std::make_pair(b->pin_position(), !b->has_product_id());
      });
}

const std::vector<const Product*>& CatalogSnapshot::CategoryPinCandidates(
    int64_t category_id) const {
  static const std::vector<const Product*> kNone;
  auto it = pin_candidates_.find(category_id);
  return it == pin_candidates_.end() ? kNone : it->second;
}

uint64_t CatalogSnapshot::CategoryFingerprint(int64_t category_id) const {
  auto it = category_fingerprints_.find(category_id);
  return it == category_fingerprints_.end() ? 0 : it->second;
}

const CatalogSnapshot::RuleList& CatalogSnapshot::RulesForProduct(
    int64_t product_id) const {
  static const RuleList kNone;
  auto it = rules_by_product_.find(product_id);
  return it == rules_by_product_.end() ? kNone : it->second;
}

const CatalogSnapshot::RuleList& CatalogSnapshot::RulesForCategory(
    int64_t category_id) const {
  static const RuleList kNone;
  auto it = rules_by_category_.find(category_id);
  return it == rules_by_category_.end() ? kNone : it->second;
}

const std::vector<const Product*>& CatalogSnapshot::ActiveInCategory(
    int64_t category_id) const {
  static const auto* const kNone = new std::vector<const Product*>();
  auto it = active_by_category_.find(category_id);
  return it == active_by_category_.end() ? *kNone : it->second;
}

const std::vector<const Product*>& CatalogSnapshot::ActiveInCategoryNamed(
    int64_t category_id, absl::string_view word) const {
  static const auto* const kNone = new std::vector<const Product*>();
  auto category = active_by_category_word_.find(category_id);
  if (category == active_by_category_word_.end()) return *kNone;
  auto it = category->second.find(word);
  return it == category->second.end() ? *kNone : it->second;
}

const Product* CatalogSnapshot::Find(int64_t id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &products_[it->second];
}

std::vector<std::string> NameWords(absl::string_view name) {
  std::vector<std::string> words;
  std::string word;
  bool has_letter = false;
  auto flush = [&] {
    if (word.size() >= 3 && has_letter &&
        std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(word);
    }
    word.clear();
    has_letter = false;
  };
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c)) {
      word += absl::ascii_tolower(c);
      has_letter |= absl::ascii_isalpha(c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}

std::string DisplayName(const Product& product) {
  if (product.category_name().empty()) return product.name();
  return absl::StrCat(product.name(), " (", product.category_name(), ")");
}

}  // namespace smartshop::recommender
