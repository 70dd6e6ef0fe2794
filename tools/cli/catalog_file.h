// A catalog file read into what `smartshop import` upserts: the valid
// products, the categories their category_id/category_name pairs name, and
// an account of every line not imported.
//
// CSV: a header naming Product fields (id, name, category_id,
// category_name, is_active, units_sold, stock, price_cents; id, name and
// is_active required), one product per record. JSON lines: one
// smartshop.v1.Product in proto JSON per line; a missing isActive is false,
// as in proto JSON. Products are checked as the service checks them, since
// the service refuses a whole upsert call for one bad product.
#ifndef SMARTSHOP_TOOLS_CLI_CATALOG_FILE_H_
#define SMARTSHOP_TOOLS_CLI_CATALOG_FILE_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "smartshop/v1/catalog.pb.h"
#include "tools/cli/input_file.h"

namespace smartshop::cli {

struct CatalogFile {
  int64_t records = 0;  // products read, bad ones included
  // Valid products, each id once: a later line replaces an earlier one.
  std::vector<smartshop::v1::Product> products;
  std::vector<int64_t> product_lines;  // the line of each product
  // One per category_id named with a category_name, ascending by id; the
  // last name given wins.
  std::vector<smartshop::v1::Category> categories;
  std::vector<LineIssue> skipped;  // lines not imported, and why
  std::vector<LineIssue> notes;    // imported, with something to know
};

// INVALID_ARGUMENT when the input as a whole is unusable (a CSV without a
// header or with unknown columns); DATA_LOSS when reading fails. Bad lines
// are not errors: they are in `skipped`.
absl::StatusOr<CatalogFile> ReadCatalog(std::istream& in, FileFormat format);

// Why the service would refuse `product`, as "field: why", or OK.
absl::Status CheckProduct(const smartshop::v1::Product& product);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_CATALOG_FILE_H_
