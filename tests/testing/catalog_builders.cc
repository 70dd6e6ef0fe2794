#include "tests/testing/catalog_builders.h"

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

}  // namespace smartshop::testing
