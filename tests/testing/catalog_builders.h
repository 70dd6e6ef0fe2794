// Catalogs as tests seed them.
#ifndef SMARTSHOP_TESTS_TESTING_CATALOG_BUILDERS_H_
#define SMARTSHOP_TESTS_TESTING_CATALOG_BUILDERS_H_

#include <cstdint>

#include "smartshop/v1/catalog.pb.h"

namespace smartshop::testing {

// Products 1..count named "Product <i>", active, units_sold = i * sold_step:
// the small catalog the process and fault tests seed.
smartshop::v1::UpsertProductsRequest NumberedProducts(int count,
                                                      int64_t sold_step = 1);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_CATALOG_BUILDERS_H_
