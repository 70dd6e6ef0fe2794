#include "tests/testing/catalog_builders.h"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"

namespace smartshop::testing {

smartshop::v1::UpsertProductsRequest NumberedProducts(int count,
                                                      int64_t sold_step) {
  smartshop::v1::UpsertProductsRequest products;
  for (int i = 1; i <= count; ++i) {
    auto* p = products.add_products();
    p->set_id(i);
    p->set_name(absl::StrCat("Product ", i));
    p->set_is_active(true);
    p->set_units_sold(i * sold_step);
  }
  return products;
}

std::vector<smartshop::v1::Product> SoldItems(int count) {
  std::vector<smartshop::v1::Product> products;
  for (int i = 1; i <= count; ++i) {
    smartshop::v1::Product p;
    p.set_id(i);
    p.set_name(absl::StrCat("Item ", i));
    p.set_category_name("Cat");
    p.set_is_active(true);
    p.set_units_sold(i * 10);
    products.push_back(std::move(p));
  }
  return products;
}

smartshop::v1::Product CategorisedProduct(int64_t id, int64_t category,
                                          std::optional<int64_t> stock) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name(absl::StrCat("Product ", id));
  p.set_category_id(category);
  p.set_category_name(absl::StrCat("Category ", category));
  p.set_is_active(true);
  if (stock) p.set_stock(*stock);
  return p;
}

std::vector<smartshop::v1::Product> FiveByCategory(
    std::vector<smartshop::v1::Product> changed) {
  absl::flat_hash_set<int64_t> replaced;
  for (const auto& p : changed) replaced.insert(p.id());
  std::vector<smartshop::v1::Product> products;
  for (int64_t id = 1; id <= 20; ++id) {
    if (!replaced.contains(id)) {
      products.push_back(CategorisedProduct(id, 1 + (id - 1) / 5));
    }
  }
  for (auto& p : changed) products.push_back(std::move(p));
  return products;
}

std::vector<smartshop::v1::Product> LetteredProducts(int count) {
  std::vector<smartshop::v1::Product> products(count);
  for (int i = 0; i < count; ++i) {
    products[i].set_id(i + 1);
    products[i].set_name(std::string(1, static_cast<char>('A' + i)));
    products[i].set_category_name("Shelf");
    products[i].set_is_active(true);
  }
  return products;
}

}  // namespace smartshop::testing
