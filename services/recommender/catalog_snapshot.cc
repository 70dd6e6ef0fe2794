#include "services/recommender/catalog_snapshot.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace smartshop::recommender {

using smartshop::v1::Product;

CatalogSnapshot::CatalogSnapshot(std::vector<Product> products,
                                 absl::Time loaded_at)
    : products_(std::move(products)), loaded_at_(loaded_at) {
  std::sort(products_.begin(), products_.end(),
            [](const Product& a, const Product& b) { return a.id() < b.id(); });
  for (size_t i = 0; i < products_.size(); ++i) {
    index_[products_[i].id()] = i;
    if (products_[i].is_active()) {
      active_by_id_.push_back(&products_[i]);
      active_lower_names_.push_back(absl::AsciiStrToLower(products_[i].name()));
    }
  }
  top_sellers_ = active_by_id_;
  std::stable_sort(top_sellers_.begin(), top_sellers_.end(),
                   [](const Product* a, const Product* b) {
                     if (a->units_sold() != b->units_sold()) {
                       return a->units_sold() > b->units_sold();
                     }
                     return a->id() > b->id();
                   });
}

const Product* CatalogSnapshot::Find(int64_t id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &products_[it->second];
}

std::string DisplayName(const Product& product) {
  if (product.category_name().empty()) return product.name();
  return absl::StrCat(product.name(), " (", product.category_name(), ")");
}

}  // namespace smartshop::recommender
