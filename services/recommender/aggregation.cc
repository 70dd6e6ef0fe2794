#include "services/recommender/aggregation.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "boost/json.hpp"

namespace smartshop::recommender {

std::vector<ProductActivity> Aggregate(
    const std::vector<smartshop::v1::Interaction>& interactions,
    const CatalogSnapshot& catalog) {
  std::vector<ProductActivity> summary;
  // By "Name (Category)", as the original's dict was: two products shown
  // alike are one entry (with the first one's id), never a duplicate JSON
  // key.
  absl::flat_hash_map<std::string, size_t> position;
  for (const auto& interaction : interactions) {
    if (interaction.product_id() == 0) continue;
    const smartshop::v1::Product* product =
        catalog.Find(interaction.product_id());
    if (product == nullptr) continue;
    std::string key = DisplayName(*product);
    auto [it, inserted] = position.emplace(key, summary.size());
    if (inserted) {
      summary.push_back({std::move(key), product->id()});
    }
    ProductActivity& activity = summary[it->second];
    switch (interaction.type()) {
      case smartshop::v1::VIEW_PRODUCT:
        ++activity.views;
        break;
      case smartshop::v1::ADD_TO_CART:
        ++activity.cart_adds;
        break;
      case smartshop::v1::ORDER_PLACED:
        ++activity.purchases;
        break;
      default:
        break;
    }
  }
  return summary;
}

std::string SummaryJson(const std::vector<ProductActivity>& summary) {
  std::string out = "{";
  for (size_t i = 0; i < summary.size(); ++i) {
    const ProductActivity& a = summary[i];
    boost::json::object counts;
    counts["views"] = a.views;
    counts["cart_adds"] = a.cart_adds;
    counts["purchases"] = a.purchases;
    counts["product_id"] = a.product_id;
    absl::StrAppend(&out, i == 0 ? "\n  " : ",\n  ",
                    boost::json::serialize(boost::json::string(a.key)), ": ",
                    boost::json::serialize(counts));
  }
  absl::StrAppend(&out, summary.empty() ? "}" : "\n}");
  return out;
}

}  // namespace smartshop::recommender
