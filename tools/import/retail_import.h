// Reads a whole Online Retail CSV into what the import sends: the catalog,
// the events, and an account of every row that yields no events.
#ifndef SMARTSHOP_TOOLS_IMPORT_RETAIL_IMPORT_H_
#define SMARTSHOP_TOOLS_IMPORT_RETAIL_IMPORT_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/import/catalog_builder.h"
#include "tools/import/retail_row.h"
#include "tools/import/skip_tally.h"

namespace smartshop::import {

struct RetailImport {
  int64_t rows_read = 0;   // data rows, malformed ones included
  int64_t sales = 0;       // rows that became events
  CatalogBuilder catalog;  // from every well-formed row
  std::vector<smartshop::v1::Interaction> events;
  std::vector<int64_t> event_rows;  // the data row of each event
  SkipTally skipped;
};

// Reads the header and at most `limit` data rows (0 = all). INVALID_ARGUMENT
// when the input is not this dataset (no header, a column missing);
// DATA_LOSS when reading fails. Bad rows are not errors: they are counted in
// `skipped`.
absl::StatusOr<RetailImport> ReadRetailCsv(std::istream& in, int64_t limit);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_RETAIL_IMPORT_H_
