#include "tools/import/retail_row.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "tools/import/csv_reader.h"

namespace smartshop::import {
namespace {

bool AllDigits(absl::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
}

RowIssue BadRetailValue(absl::string_view column, std::string detail) {
  return RowIssue{absl::StrCat("bad ", column), std::move(detail)};
}

}  // namespace

absl::StatusOr<RetailColumns> FindColumns(
    const std::vector<std::string>& header) {
  RetailColumns columns;
  absl::Status found =
      LocateColumns(header, {{"InvoiceNo", &columns.invoice_no},
                             {"StockCode", &columns.stock_code},
                             {"Description", &columns.description},
                             {"Quantity", &columns.quantity},
                             {"InvoiceDate", &columns.invoice_date},
                             {"UnitPrice", &columns.unit_price},
                             {"CustomerID", &columns.customer_id}});
  if (!found.ok()) return found;
  columns.field_count = static_cast<int>(header.size());
  return columns;
}

absl::StatusOr<absl::Time> ParseInvoiceDate(absl::string_view text) {
  static constexpr absl::string_view kFormats[] = {
      "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M",
      "%m/%d/%Y %H:%M:%S"};
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  for (absl::string_view format : kFormats) {
    absl::Time time;
    if (absl::ParseTime(format, trimmed, absl::UTCTimeZone(), &time, nullptr)) {
      return time;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      ShowValue(text),
      " is not a date like 2010-12-01 08:26:00 or 12/1/2010 8:26"));
}

absl::StatusOr<int64_t> ParsePriceCents(absl::string_view text) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  absl::string_view whole = trimmed;
  absl::string_view fraction;
  if (const size_t dot = trimmed.find('.'); dot != absl::string_view::npos) {
    whole = trimmed.substr(0, dot);
    fraction = trimmed.substr(dot + 1);
  }
  // At most 15 digits before the point keeps the cents within int64.
  if ((whole.empty() && fraction.empty()) ||
      (!whole.empty() && !AllDigits(whole)) ||
      (!fraction.empty() && !AllDigits(fraction)) || whole.size() > 15) {
    return absl::InvalidArgumentError(absl::StrCat(
        ShowValue(text), " is not a non-negative decimal number like 2.55"));
  }
  int64_t cents = 0;
  for (char c : whole) cents = cents * 10 + (c - '0');
  for (size_t i = 0; i < 2; ++i) {
    cents = cents * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  if (fraction.size() > 2 && fraction[2] >= '5') ++cents;
  return cents;
}

std::variant<RetailLine, RowIssue> ParseRow(
    const RetailColumns& columns, const std::vector<std::string>& fields,
    int64_t row) {
  if (auto issue = WrongFieldCount(fields, columns.field_count)) return *issue;
  auto field = [&](int position) {
    return absl::StripAsciiWhitespace(fields[position]);
  };
  RetailLine line;
  line.row = row;

  line.invoice_no = std::string(field(columns.invoice_no));
  absl::string_view digits = line.invoice_no;
  line.cancelled = absl::ConsumePrefix(&digits, "C");
  if (!AllDigits(digits) || !absl::SimpleAtoi(digits, &line.invoice_number) ||
      line.invoice_number <= 0) {
    return BadRetailValue("InvoiceNo",
                          absl::StrCat(ShowValue(line.invoice_no),
                                       " is not a positive invoice number, "
                                       "optionally after C"));
  }

  line.stock_code = std::string(field(columns.stock_code));
  if (line.stock_code.empty()) return BadRetailValue("StockCode", "empty");

  line.description = std::string(field(columns.description));

  const absl::string_view quantity = field(columns.quantity);
  if (!absl::SimpleAtoi(quantity, &line.quantity)) {
    return BadRetailValue(
        "Quantity", absl::StrCat(ShowValue(quantity), " is not an integer"));
  }

  absl::StatusOr<absl::Time> time =
      ParseInvoiceDate(field(columns.invoice_date));
  if (!time.ok()) {
    return BadRetailValue("InvoiceDate", std::string(time.status().message()));
  }
  line.time = *time;

  absl::StatusOr<int64_t> price = ParsePriceCents(field(columns.unit_price));
  if (!price.ok()) {
    return BadRetailValue("UnitPrice", std::string(price.status().message()));
  }
  line.unit_price_cents = *price;

  // The export wrote customer ids as floats ("17850.0").
  absl::string_view customer = field(columns.customer_id);
  absl::string_view customer_digits = customer;
  if (const size_t dot = customer.find('.'); dot != absl::string_view::npos) {
    const absl::string_view after = customer.substr(dot + 1);
    if (after.find_first_not_of('0') == absl::string_view::npos) {
      customer_digits = customer.substr(0, dot);
    }
  }
  if (!customer.empty() && !AllDigits(customer_digits)) {
    return BadRetailValue("CustomerID", absl::StrCat(ShowValue(customer),
                                                     " is not a whole number"));
  }
  line.customer_id = std::string(customer_digits);
  return line;
}

}  // namespace smartshop::import
