// An immutable, indexed copy of the catalog as the tracking service last
// served it: what the recommender maps model answers onto and falls back to
// when the tracking service is down, with the shop's merchandising rules
// indexed for merchandising.h. Shared read-only between threads.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CATALOG_SNAPSHOT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CATALOG_SNAPSHOT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "smartshop/v1/catalog.pb.h"

namespace smartshop::recommender {

class CatalogSnapshot {
 public:
  // `products`: every product, active or not, in any order; `rules`: every
  // merchandising rule, in force or not, in any order.
  CatalogSnapshot(std::vector<smartshop::v1::Product> products,
                  absl::Time loaded_at,
                  std::vector<smartshop::v1::MerchandisingRule> rules = {});

  // Any product, active or not; nullptr when unknown.
  const smartshop::v1::Product* Find(int64_t id) const;

  // Active products by ascending id (the order the prompt's catalog uses).
  const std::vector<const smartshop::v1::Product*>& active_by_id() const {
    return active_by_id_;
  }
  // Active products by descending units_sold, ties by descending id.
  const std::vector<const smartshop::v1::Product*>& top_sellers() const {
    return top_sellers_;
  }
  // The active products of a category (> 0) by ascending id; empty for a
  // category without any.
  const std::vector<const smartshop::v1::Product*>& ActiveInCategory(
      int64_t category_id) const;
  // The active products of a category (> 0) whose name has `word` (one of
  // NameWords), by ascending id: the product lines of a product page's
  // fill, found without scanning the category.
  const std::vector<const smartshop::v1::Product*>& ActiveInCategoryNamed(
      int64_t category_id, absl::string_view word) const;
  // A hash of what a category's products are to a ranking: which are
  // active, their names and whether they are sold out (not their stock or
  // sales figures, which move with every order). Equal in every process
  // for equal catalogs; 0 for category 0 and for one without products.
  uint64_t CategoryFingerprint(int64_t category_id) const;
  // Lower-cased name of an active product, parallel to active_by_id().
  const std::vector<std::string>& active_lower_names() const {
    return active_lower_names_;
  }

  // Every merchandising rule, by ascending id.
  const std::vector<smartshop::v1::MerchandisingRule>& merchandising_rules()
      const {
    return rules_;
  }
  // The rules naming this product or this category (any action, by
  // ascending id); those for all products; the pins (of products and of
  // categories) by position, a product's before a category's, then by id.
  using RuleList = std::vector<const smartshop::v1::MerchandisingRule*>;
  const RuleList& RulesForProduct(int64_t product_id) const;
  const RuleList& RulesForCategory(int64_t category_id) const;
  const RuleList& rules_for_all_products() const { return rules_for_all_; }
  const RuleList& pins() const { return pins_; }
  // For a category a pin names: its active products that are not sold
  // out, best sellers first (as top_sellers()); what the pin takes from the
  // catalog when the answer holds none. Empty for any other category (kept
  // only where a pin needs it).
  const std::vector<const smartshop::v1::Product*>& CategoryPinCandidates(
      int64_t category_id) const;

  size_t size() const { return products_.size(); }
  absl::Time loaded_at() const { return loaded_at_; }

 private:
  std::vector<smartshop::v1::Product> products_;
  absl::flat_hash_map<int64_t, size_t> index_;
  std::vector<const smartshop::v1::Product*> active_by_id_;
  std::vector<const smartshop::v1::Product*> top_sellers_;
  absl::flat_hash_map<int64_t, std::vector<const smartshop::v1::Product*>>
      active_by_category_;
  absl::flat_hash_map<
      int64_t, absl::flat_hash_map<std::string,
                                   std::vector<const smartshop::v1::Product*>>>
      active_by_category_word_;
  std::vector<std::string> active_lower_names_;
  absl::flat_hash_map<int64_t, uint64_t> category_fingerprints_;
  std::vector<smartshop::v1::MerchandisingRule> rules_;
  absl::flat_hash_map<int64_t, RuleList> rules_by_product_;
  absl::flat_hash_map<int64_t, RuleList> rules_by_category_;
  RuleList rules_for_all_;
  RuleList pins_;
  absl::flat_hash_map<int64_t, std::vector<const smartshop::v1::Product*>>
      pin_candidates_;
  absl::Time loaded_at_;
};

// The distinct words of a product name that can tell its product line, in
// order: runs of 3 or more letters or digits, lower-cased, not digits only
// ("Set of 12 Red Retrospot Cases" -> set, red, retrospot, cases).
std::vector<std::string> NameWords(absl::string_view name);

// "Name (Category)", or "Name" when the category is unknown: how products
// are shown to the model and how it names them back.
std::string DisplayName(const smartshop::v1::Product& product);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CATALOG_SNAPSHOT_H_
