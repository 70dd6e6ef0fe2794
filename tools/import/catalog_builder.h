// Builds the catalog the import pushes: one product per StockCode, all in a
// single category, because the dataset has no categories and inventing some
// would mislead whoever evaluates recommendations on it.
#ifndef SMARTSHOP_TOOLS_IMPORT_CATALOG_BUILDER_H_
#define SMARTSHOP_TOOLS_IMPORT_CATALOG_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "smartshop/v1/catalog.pb.h"
#include "tools/import/retail_row.h"

namespace smartshop::import {

inline constexpr int64_t kCategoryId = 1;
inline constexpr char kCategoryName[] = "Online Retail (uncategorised)";

class CatalogBuilder {
 public:
  // Records `line` and returns its product's id. Ids are 1, 2, 3, ... in
  // the order in which each StockCode first appears, so that importing a
  // prefix of the file (--limit) gives its products the same ids as
  // importing all of it. `is_sale` adds the quantity to units_sold.
  int64_t Add(const RetailLine& line, bool is_sale);

  // The products, by id. name: the latest non-empty Description (cut to 255
  // bytes), else the StockCode; price_cents: the latest positive UnitPrice
  // (0 when there is none); units_sold: the quantities of the sales;
  // category kCategoryId; active; stock unset (the data has none).
  std::vector<smartshop::v1::Product> Products() const;

  static smartshop::v1::Category Category();

  // StockCodes that differ from another only in letter case ("85123a" next
  // to "85123A"): kept apart as the data has them, but worth a word.
  std::vector<std::string> CaseVariants() const;

  int64_t size() const { return static_cast<int64_t>(entries_.size()); }

 private:
  struct Entry {
    std::string stock_code;
    std::string name;
    absl::Time name_time = absl::InfinitePast();
    int64_t price_cents = 0;
    absl::Time price_time = absl::InfinitePast();
    int64_t units_sold = 0;
  };

  absl::flat_hash_map<std::string, int64_t> ids_;  // StockCode -> id
  std::vector<Entry> entries_;                     // [id - 1]
};

// CatalogService's limit on product and category names (catalog.proto).
inline constexpr size_t kMaxCatalogNameBytes = 255;

// `text` cut to at most `max_bytes` without splitting a UTF-8 sequence.
std::string TruncateUtf8(std::string text, size_t max_bytes);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_CATALOG_BUILDER_H_
