// The UCI "Online Retail" CSV (InvoiceNo, StockCode, Description, Quantity,
// InvoiceDate, UnitPrice, CustomerID, Country): finding its columns by name
// and turning one row into typed values, or saying why it cannot be.
#ifndef SMARTSHOP_TOOLS_IMPORT_RETAIL_ROW_H_
#define SMARTSHOP_TOOLS_IMPORT_RETAIL_ROW_H_

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/import/skip_tally.h"

namespace smartshop::import {

// Positions of the columns the import uses (Country is not used).
struct RetailColumns {
  int invoice_no = -1;
  int stock_code = -1;
  int description = -1;
  int quantity = -1;
  int invoice_date = -1;
  int unit_price = -1;
  int customer_id = -1;
  int field_count = 0;  // fields per row: the header's
};

// Finds the columns by exact name (surrounding spaces ignored), in any order.
// INVALID_ARGUMENT naming every missing or repeated column.
absl::StatusOr<RetailColumns> FindColumns(
    const std::vector<std::string>& header);

// One invoice line, parsed.
struct RetailLine {
  int64_t row = 0;  // data row number: 1 = the first row after the header
  std::string invoice_no;      // as in the file, e.g. "C536379"
  int64_t invoice_number = 0;  // its digits, > 0
  bool cancelled = false;      // InvoiceNo starts with 'C'
  std::string stock_code;      // non-empty, case kept
  std::string description;     // trimmed; may be empty
  int64_t quantity = 0;        // may be negative
  absl::Time time;             // InvoiceDate as UTC
  int64_t unit_price_cents = 0;
  std::string customer_id;  // without the ".0" the export added; empty = guest
};

// `row` is the data row number to record in the line.
std::variant<RetailLine, RowIssue> ParseRow(
    const RetailColumns& columns, const std::vector<std::string>& fields,
    int64_t row);

// "2010-12-01 08:26:00" (the UCI file) or "12/1/2010 8:26" (the same data as
// Excel exports it), with or without seconds, as UTC.
absl::StatusOr<absl::Time> ParseInvoiceDate(absl::string_view text);

// A non-negative decimal ("2.55", "2.1", "165") in cents, rounded half up
// past the second decimal.
absl::StatusOr<int64_t> ParsePriceCents(absl::string_view text);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_RETAIL_ROW_H_
