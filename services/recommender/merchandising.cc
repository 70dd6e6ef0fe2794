#include "services/recommender/merchandising.h"

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/proto_time.h"
#include "services/recommender/answer_rules.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::MerchandisingRule;
using smartshop::v1::Product;
using smartshop::v1::RecommendationItem;

// The order in which rules other than EXCLUDE and PIN win an item.
std::tuple<int, int, absl::string_view> Precedence(const MerchandisingRule& r) {
  const int level = r.has_product_id() ? 0 : r.has_category_id() ? 1 : 2;
  const int action = r.action() == smartshop::v1::MERCHANDISING_BURY    ? 0
                     : r.action() == smartshop::v1::MERCHANDISING_BOOST ? 1
                                                                        : 2;
  return {level, action, r.id()};
}

bool InStock(const Product& product) {
  return product.has_stock() && product.stock() > 0;
}

// The rule lists that may name `product`, most specific first (no
// allocation: this runs for every item of every answer while rules exist).
std::array<const CatalogSnapshot::RuleList*, 3> ListsFor(
    const CatalogSnapshot& catalog, const Product& product) {
  return {&catalog.RulesForProduct(product.id()),
          &catalog.RulesForCategory(product.category_id()),
          &catalog.rules_for_all_products()};
}

struct Verdict {
  const MerchandisingRule* rule = nullptr;  // the BOOST, BURY or promotion
  bool excluded = false;
};

Verdict Judge(const CatalogSnapshot& catalog, const Product& product,
              smartshop::v1::Placement placement, absl::Time now,
              const RecentSales& recent_sales) {
  Verdict verdict;
  for (const CatalogSnapshot::RuleList* list : ListsFor(catalog, product)) {
    for (const MerchandisingRule* rule : *list) {
      if (!RuleInForce(*rule, now, placement)) continue;
      switch (rule->action()) {
        case smartshop::v1::MERCHANDISING_EXCLUDE:
          return {.rule = nullptr, .excluded = true};
        case smartshop::v1::MERCHANDISING_PIN:
          continue;  // placed after the rest
        case smartshop::v1::MERCHANDISING_PROMOTE_SLOW_MOVING:
          if (!InStock(product) || recent_sales == nullptr ||
              !(recent_sales(product.id()) < rule->recent_sales_below())) {
            continue;
          }
          break;
        default:
          break;
      }
      if (verdict.rule == nullptr ||
          Precedence(*rule) < Precedence(*verdict.rule)) {
        verdict.rule = rule;
      }
    }
  }
  return verdict;
}

// Whether a pin may add any product of `category_id` for `request`: never
// to recently viewed, and only of the request's category when it names one.
bool MayInsertFrom(int64_t category_id,
                   const smartshop::v1::GetRecommendationsRequest& request) {
  return request.placement() != smartshop::v1::PLACEMENT_RECENTLY_VIEWED &&
         (request.category_id() == 0 || category_id == request.category_id());
}

// Whether a pin may add `product` to the answer for `request`.
bool MayInsert(const Product& product,
               const smartshop::v1::GetRecommendationsRequest& request) {
  const auto& excluded = request.exclude_product_ids();
  const auto& cart = request.cart_product_ids();
  return MayInsertFrom(product.category_id(), request) && product.is_active() &&
         !(product.has_stock() && product.stock() == 0) &&
         product.id() != request.product_id() &&
         std::find(excluded.begin(), excluded.end(), product.id()) ==
             excluded.end() &&
         std::find(cart.begin(), cart.end(), product.id()) == cart.end();
}

// Whether `list` holds an EXCLUDE in force at `now` on `placement`.
bool HoldsExclusion(const CatalogSnapshot::RuleList& list,
                    smartshop::v1::Placement placement, absl::Time now) {
  return std::any_of(list.begin(), list.end(), [&](const auto* rule) {
    return rule->action() == smartshop::v1::MERCHANDISING_EXCLUDE &&
           RuleInForce(*rule, now, placement);
  });
}

void MarkPromoted(const MerchandisingRule& rule, RecommendationItem& item) {
  item.set_merchandising_rule_id(rule.id());
  item.set_source(smartshop::v1::MERCHANDISED);
  item.set_reason(std::string(kPromotedReason));
}

// Boosts and buries `items` (no exclusions left) as merchandising.h says.
// Returns the buried products.
absl::flat_hash_set<int64_t> Rescale(
    const std::vector<const MerchandisingRule*>& rules,
    std::vector<RecommendationItem>& items) {
  std::vector<RecommendationItem> ordered, buried;
  // Each boosted item's index among the items not buried before it moved,
  // parallel to `ordered`; -1 for the others.
  std::vector<int> boosted_from;
  for (size_t i = 0; i < items.size(); ++i) {
    RecommendationItem& item = items[i];
    const MerchandisingRule* rule = rules[i];
    if (rule != nullptr) item.set_merchandising_rule_id(rule->id());
    if (rule != nullptr &&
        rule->action() == smartshop::v1::MERCHANDISING_BURY) {
      buried.push_back(std::move(item));
      continue;
    }
    const bool boosted = rule != nullptr;
    if (boosted) {
      item.set_relevance_score(
          std::min(100.0, item.relevance_score() * rule->multiplier()));
    }
    boosted_from.push_back(boosted ? static_cast<int>(ordered.size()) : -1);
    ordered.push_back(std::move(item));
    // Up past what now scores less; never down.
    for (size_t j = ordered.size() - 1;
         boosted && j > 0 &&
         ordered[j - 1].relevance_score() < ordered[j].relevance_score();
         --j) {
      std::swap(ordered[j - 1], ordered[j]);
      std::swap(boosted_from[j - 1], boosted_from[j]);
    }
  }
  for (size_t j = 0; j < ordered.size(); ++j) {
    if (boosted_from[j] > static_cast<int>(j)) {
      ordered[j].set_source(smartshop::v1::MERCHANDISED);
      ordered[j].set_reason(std::string(kPromotedReason));
    }
  }
  absl::flat_hash_set<int64_t> buried_ids;
  for (RecommendationItem& item : buried) {
    if (!ordered.empty()) {
      item.set_relevance_score(
          std::min(item.relevance_score(), ordered.back().relevance_score()));
    }
    buried_ids.insert(item.product().id());
    ordered.push_back(std::move(item));
  }
  items = std::move(ordered);
  return buried_ids;
}

// A pin's item, marked as placed by it and scored as what it displaces at
// `at` (the last item's score when appended), inserted at `at`.
void PutAt(const MerchandisingRule& pin, RecommendationItem item, int at,
           std::vector<RecommendationItem>& items) {
  MarkPromoted(pin, item);
  if (at < static_cast<int>(items.size())) {
    item.set_relevance_score(items[at].relevance_score());
  } else if (!items.empty()) {
    item.set_relevance_score(items.back().relevance_score());
  }
  items.insert(items.begin() + at, std::move(item));
}

RecommendationItem FromCatalog(const Product& product) {
  RecommendationItem item;
  *item.mutable_product() = product;
  item.set_relevance_score(kGapFillScore);
  return item;
}

// For a category's pin at `at`: the answer's first product of the category
// from `at` on (so that none of it above moves down), taken out of `items`;
// else the category's best seller the request allows that the answer and
// the pins do not hold yet. nullopt when there is none.
std::optional<RecommendationItem> CategoryPick(
    const CatalogSnapshot& catalog,
    const smartshop::v1::GetRecommendationsRequest& request, absl::Time now,
    const MerchandisingRule& pin, int at,
    const absl::flat_hash_set<int64_t>& pinned,
    std::vector<RecommendationItem>& items) {
  for (size_t j = at; j < items.size(); ++j) {
    const Product* known = catalog.Find(items[j].product().id());
    const int64_t category = known != nullptr
                                 ? known->category_id()
                                 : items[j].product().category_id();
    if (category == pin.category_id()) {
      RecommendationItem item = std::move(items[j]);
      items.erase(items.begin() + j);
      return item;
    }
  }
  // Checked once for the category, not for each of its products.
  if (!MayInsertFrom(pin.category_id(), request) ||
      HoldsExclusion(catalog.RulesForCategory(pin.category_id()),
                     request.placement(), now)) {
    return std::nullopt;
  }
  for (const Product* product :
       catalog.CategoryPinCandidates(pin.category_id())) {
    if (pinned.contains(product->id()) || !MayInsert(*product, request) ||
        ExcludedByRules(catalog, *product, request.placement(), now) ||
        std::any_of(items.begin(), items.end(), [&](const auto& item) {
          return item.product().id() == product->id();
        })) {
      continue;
    }
    return FromCatalog(*product);
  }
  return std::nullopt;
}

// Puts the pinned products at their positions. A product's pin takes its
// item out of `items` (or from the catalog) before any is placed, so that
// moving one never shifts another's place; a category's pin takes its
// product as it is placed (CategoryPick). Positions are kept in pin order:
// a pin whose position an earlier pin took goes right after it. Returns the
// pinned products.
absl::flat_hash_set<int64_t> Pin(
    const CatalogSnapshot& catalog,
    const smartshop::v1::GetRecommendationsRequest& request, absl::Time now,
    std::vector<RecommendationItem>& items) {
  absl::flat_hash_map<const MerchandisingRule*, RecommendationItem>
      product_pins;
  absl::flat_hash_set<int64_t> pinned;
  for (const MerchandisingRule* pin : catalog.pins()) {
    if (!pin->has_product_id() ||
        !RuleInForce(*pin, now, request.placement()) ||
        pinned.contains(pin->product_id())) {
      continue;
    }
    const Product* product = catalog.Find(pin->product_id());
    if (product == nullptr ||
        ExcludedByRules(catalog, *product, request.placement(), now)) {
      continue;
    }
    auto it = std::find_if(items.begin(), items.end(), [&](const auto& item) {
      return item.product().id() == product->id();
    });
    if (it != items.end()) {
      product_pins.emplace(pin, std::move(*it));
      items.erase(it);
    } else if (MayInsert(*product, request)) {
      product_pins.emplace(pin, FromCatalog(*product));
    } else {
      continue;
    }
    pinned.insert(product->id());
  }
  int previous = -1;
  for (const MerchandisingRule* pin : catalog.pins()) {
    const int at = std::min(std::max(pin->pin_position() - 1, previous + 1),
                            static_cast<int>(items.size()));
    std::optional<RecommendationItem> item;
    if (pin->has_product_id()) {
      auto it = product_pins.find(pin);
      if (it == product_pins.end()) continue;
      item = std::move(it->second);
    } else if (RuleInForce(*pin, now, request.placement())) {
      item = CategoryPick(catalog, request, now, *pin, at, pinned, items);
      if (!item.has_value()) continue;
      pinned.insert(item->product().id());
    } else {
      continue;
    }
    PutAt(*pin, *std::move(item), at, items);
    previous = at;
  }
  return pinned;
}

// The cart's diversity rule over the rules' result: pins hold their places
// and buried items stay after the rest (merchandising.h).
void KeepVaried(const KeptDiversity& diversity,
                const absl::flat_hash_set<int64_t>& pinned,
                const absl::flat_hash_set<int64_t>& buried,
                smartshop::v1::Recommendations& answer) {
  auto& items = *answer.mutable_items();
  // A pin past the items served goes with them when they are cut (pins
  // never move): it must take no place from its category before that.
  for (int i = items.size() - 1; i >= diversity.count; --i) {
    if (pinned.contains(items[i].product().id())) items.DeleteSubrange(i, 1);
  }
  std::vector<VariedPlace> places;
  places.reserve(items.size());
  for (const RecommendationItem& item : items) {
    const int64_t id = item.product().id();
    places.push_back(pinned.contains(id)   ? VariedPlace::kFixed
                     : buried.contains(id) ? VariedPlace::kLast
                                           : VariedPlace::kFree);
  }
  KeepCategoriesVaried(diversity.max_per_category, places, answer);
}

}  // namespace

bool RuleInForce(const MerchandisingRule& rule, absl::Time now,
                 smartshop::v1::Placement placement) {
  if (rule.has_starts_at() && now < ToTime(rule.starts_at())) return false;
  if (rule.has_ends_at() && now >= ToTime(rule.ends_at())) return false;
  return rule.placements().empty() ||
         std::find(rule.placements().begin(), rule.placements().end(),
                   placement) != rule.placements().end();
}

bool ExcludedByRules(const CatalogSnapshot& catalog, const Product& product,
                     smartshop::v1::Placement placement, absl::Time now) {
  for (const CatalogSnapshot::RuleList* list : ListsFor(catalog, product)) {
    if (HoldsExclusion(*list, placement, now)) return true;
  }
  return false;
}

void ApplyMerchandising(const CatalogSnapshot& catalog,
                        const smartshop::v1::GetRecommendationsRequest& request,
                        absl::Time now, const RecentSales& recent_sales,
                        const KeptDiversity& diversity,
                        smartshop::v1::Recommendations& answer) {
  if (catalog.merchandising_rules().empty()) return;
  std::vector<RecommendationItem> items;
  std::vector<const MerchandisingRule*> rules;
  for (RecommendationItem& item : *answer.mutable_items()) {
    const Product* known = catalog.Find(item.product().id());
    const Verdict verdict = Judge(catalog, known ? *known : item.product(),
                                  request.placement(), now, recent_sales);
    if (verdict.excluded) continue;
    items.push_back(std::move(item));
    rules.push_back(verdict.rule);
  }
  const absl::flat_hash_set<int64_t> buried = Rescale(rules, items);
  const absl::flat_hash_set<int64_t> pinned = Pin(catalog, request, now, items);
  answer.clear_items();
  for (RecommendationItem& item : items) {
    *answer.add_items() = std::move(item);
  }
  if (diversity.max_per_category > 0) {
    KeepVaried(diversity, pinned, buried, answer);
  }
}

}  // namespace smartshop::recommender
