// Catalogs as tests seed them.
#ifndef SMARTSHOP_TESTS_TESTING_CATALOG_BUILDERS_H_
#define SMARTSHOP_TESTS_TESTING_CATALOG_BUILDERS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "smartshop/v1/catalog.pb.h"

namespace smartshop::testing {

// Products 1..count named "Product <i>", active, units_sold = i * sold_step:
// the small catalog the process and fault tests seed.
smartshop::v1::UpsertProductsRequest NumberedProducts(int count,
                                                      int64_t sold_step = 1);

// Products 1..count named "Item <i>" of category "Cat", active, units_sold
// = i * 10 (top sellers: count, count - 1, ...): the engine's unit tests'
// catalog, as a catalog snapshot serves it.
std::vector<smartshop::v1::Product> SoldItems(int count);

// Product `id` named "Product <id>", active, of `category` (its name
// "Category <category>" filled in, as a catalog snapshot serves it); with a
// known `stock` when given.
smartshop::v1::Product CategorisedProduct(
    int64_t id, int64_t category, std::optional<int64_t> stock = std::nullopt);

// Products 1..20 in categories of five (category = 1 + (id - 1) / 5), each
// of `changed` in place of the product of its id: the rankers' unit tests'
// catalog.
std::vector<smartshop::v1::Product> FiveByCategory(
    std::vector<smartshop::v1::Product> changed = {});

// Products 1..count named "A", "B", ... (count <= 26), active, of category
// name "Shelf": the model ranker's tests' catalog (a prompt lists them as
// "A (Shelf)").
std::vector<smartshop::v1::Product> LetteredProducts(int count);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_CATALOG_BUILDERS_H_
