#include "tools/import/retail_import.h"

#include <variant>

#include "tools/import/csv_reader.h"
#include "tools/import/event_mapping.h"

namespace smartshop::import {

absl::StatusOr<RetailImport> ReadRetailCsv(std::istream& in, int64_t limit) {
  CsvReader reader(&in);
  std::vector<std::string> fields;
  absl::StatusOr<bool> got = reader.Next(fields);
  if (!got.ok()) return got.status();
  if (!*got) return absl::InvalidArgumentError("the CSV input is empty");
  absl::StatusOr<RetailColumns> columns = FindColumns(fields);
  if (!columns.ok()) return columns.status();

  RetailImport result;
  while (limit == 0 || result.rows_read < limit) {
    got = reader.Next(fields);
    if (!got.ok() &&
        got.status().code() != absl::StatusCode::kInvalidArgument) {
      return got.status();
    }
    if (got.ok() && !*got) break;
    const int64_t row = ++result.rows_read;
    if (!got.ok()) {
      result.skipped.Add(
          row, RowIssue{"malformed CSV", std::string(got.status().message())});
      continue;
    }
    std::variant<RetailLine, RowIssue> parsed = ParseRow(*columns, fields, row);
    if (const RowIssue* issue = std::get_if<RowIssue>(&parsed)) {
      result.skipped.Add(row, *issue);
      continue;
    }
    const RetailLine& line = std::get<RetailLine>(parsed);
    const std::optional<RowIssue> not_a_sale = WhyNotASale(line);
    // Cancelled and adjusted lines still name a product of the shop.
    const int64_t product_id = result.catalog.Add(line, !not_a_sale);
    if (not_a_sale) {
      result.skipped.Add(row, *not_a_sale);
      continue;
    }
    ++result.sales;
    for (smartshop::v1::Interaction& event : ToEvents(line, product_id)) {
      result.events.push_back(std::move(event));
      result.event_rows.push_back(row);
    }
  }
  return result;
}

}  // namespace smartshop::import
