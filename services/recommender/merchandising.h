// Merchandising rules (catalog.proto, MerchandisingRule) applied to an
// answer after ranking, in every placement, cached answers included: the
// shop's boosts, buries, pins, exclusions and slow-moving promotions that
// are in force now for the request's placement.
//
// How scores and order interact: an answer arrives best first and leaves
// best first. A boost multiplies the item's score (at most 100) and moves
// the item up before the first item scoring less; the others keep their
// order. A buried item goes after every item not buried (buried items keep
// their order), its score lowered to the last score above it. A pinned
// item is put at its position and takes the score of the item it displaces
// (of the last item when appended). So scores never rise down the list.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MERCHANDISING_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MERCHANDISING_H_

#include <cstdint>
#include <functional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/top_sellers.h"
#include "smartshop/v1/catalog.pb.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

// The reason an item gets when a rule placed it: a pin, or a boost or
// slow-moving promotion that moved it up.
inline constexpr absl::string_view kPromotedReason = "Promoted";

// A product's recent sales, compared with a slow-moving promotion's
// recent_sales_below. Called only for in-stock products the promotion
// targets, on the serving thread: must be cheap and thread-safe.
using RecentSales = std::function<double(int64_t product_id)>;

// The cart's diversity rule, which ApplyMerchandising keeps.
struct KeptDiversity {
  // At most this many products of one category (AnswerRules::
  // max_per_category); 0 = no such rule (every placement but the cart).
  int max_per_category = 0;
  // The items served; the caller cuts the rest.
  int count = kRecommendationCount;
};

// Whether `rule` applies at `now` (starts_at <= now < ends_at, unset ends
// open) on `placement` (its placements, or every one when empty).
bool RuleInForce(const smartshop::v1::MerchandisingRule& rule, absl::Time now,
                 smartshop::v1::Placement placement);

// Whether a rule in force at `now` on `placement` excludes `product` (by
// its id or its category): what may not top an answer up after
// ApplyMerchandising.
bool ExcludedByRules(const CatalogSnapshot& catalog,
                     const smartshop::v1::Product& product,
                     smartshop::v1::Placement placement, absl::Time now);

// Applies the catalog's rules in force at `now` on `request.placement()`
// to `answer`, in place, as the header comment says. One rule per item:
// an EXCLUDE wins (over a pin too), then a PIN, then the most specific of
// the rest (product, category, all products; at one level BURY, BOOST,
// PROMOTE_SLOW_MOVING; then by rule id). Rules naming products or
// categories the catalog does not hold are no error: they match nothing
// (a pin of an unknown product is not inserted).
//
// Items a rule touched carry its id in merchandising_rule_id; a pinned
// item, and a boosted one that moved up, get source MERCHANDISED and
// reason "Promoted". A pin takes its product from the catalog when the
// answer lacks it, only if the product is active, not out of stock, not
// in request.exclude_product_ids, not request.product_id nor one of
// request.cart_product_ids, of request.category_id when set; never in
// PLACEMENT_RECENTLY_VIEWED (only the shopper's own views). A category's
// pin takes the answer's first product of the category from its position
// on, else the category's best seller under the same conditions
// (CatalogSnapshot::CategoryPinCandidates). Pins beyond the answer's
// length go at its end; two pins at one position take it and the next (a
// product's pin first). The answer may come out shorter (exclusions) or longer
// (pins): the caller cuts it and tops it up.
//
// With `diversity.max_per_category` > 0 (the cart) the rules keep the
// diversity rule as KeepCategoriesVaried (answer_rules.h) orders it: pins
// past the first `diversity.count` items are dropped (they would be cut);
// the others hold their positions and take their categories' shares
// first; buried items go after every other item not pinned (taking no
// share); the rest fill the places left. So a boost, or a single pin of a
// category, brings it past its share only when no other product the
// rankers picked is left (a ranked product, unless buried, goes before a
// top-up); several pins of one category may.
//
// REQUIRES: `answer`'s products were checked against `catalog` (answer
// rules), so that items are distinct. `recent_sales` may be null: then no
// product is slow-moving.
void ApplyMerchandising(const CatalogSnapshot& catalog,
                        const smartshop::v1::GetRecommendationsRequest& request,
                        absl::Time now, const RecentSales& recent_sales,
                        const KeptDiversity& diversity,
                        smartshop::v1::Recommendations& answer);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MERCHANDISING_H_
