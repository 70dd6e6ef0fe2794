// Phase 2 of the original algorithm: interactions summarised per product as
// {"Name (Category)": {views, cart_adds, purchases, product_id}}.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_AGGREGATION_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_AGGREGATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/recommender/catalog_snapshot.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::recommender {

struct ProductActivity {
  std::string key;  // DisplayName of the product
  int64_t product_id = 0;
  int views = 0;
  int cart_adds = 0;
  int purchases = 0;
};

// In order of first appearance in `interactions` (the user's own come first
// for a logged-in user, so their products lead the summary), one entry per
// "Name (Category)" (products shown alike are merged, as in the original).
// Interactions without a product or with a product the catalog does not know
// are skipped; types other than view_product / add_to_cart / order_placed count
// nothing.
std::vector<ProductActivity> Aggregate(
    const std::vector<smartshop::v1::Interaction>& interactions,
    const CatalogSnapshot& catalog);

// The summary as JSON, one product per line, for the prompt.
std::string SummaryJson(const std::vector<ProductActivity>& summary);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_AGGREGATION_H_
