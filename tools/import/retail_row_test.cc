#include "tools/import/retail_row.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kRetailColumns = {
    "InvoiceNo",   "StockCode", "Description", "Quantity",
    "InvoiceDate", "UnitPrice", "CustomerID",  "Country"};

RetailColumns Columns() { return *FindColumns(kRetailColumns); }

RowIssue IssueOf(const std::vector<std::string>& fields) {
  auto parsed = ParseRow(Columns(), fields, 7);
  EXPECT_TRUE(std::holds_alternative<RowIssue>(parsed));
  return std::holds_alternative<RowIssue>(parsed) ? std::get<RowIssue>(parsed)
                                                  : RowIssue{};
}

TEST(FindColumnsTest, FindsColumnsByNameInAnyOrder) {
  auto columns =
      FindColumns({"Country", "CustomerID", "UnitPrice", "InvoiceDate",
                   "Quantity", "Description", " StockCode ", "InvoiceNo"});
  ASSERT_TRUE(columns.ok()) << columns.status();
  EXPECT_EQ(columns->invoice_no, 7);
  EXPECT_EQ(columns->stock_code, 6);
  EXPECT_EQ(columns->customer_id, 1);
  EXPECT_EQ(columns->field_count, 8);
}

TEST(FindColumnsTest, NamesEveryMissingColumn) {
  auto columns = FindColumns({"InvoiceNo", "StockCode", "Description",
                              "InvoiceDate", "CustomerID", "Country"});
  EXPECT_EQ(columns.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(columns.status().message(),
              HasSubstr("missing columns Quantity, UnitPrice"));
  auto one = FindColumns({"userId", "movieId", "rating", "timestamp"});
  EXPECT_THAT(one.status().message(), HasSubstr("missing columns InvoiceNo,"));
}

TEST(FindColumnsTest, RefusesRepeatedColumns) {
  std::vector<std::string> header = kRetailColumns;
  header.push_back("Quantity");
  EXPECT_THAT(FindColumns(header).status().message(),
              HasSubstr("repeated column(s) Quantity"));
}

TEST(ParseRowTest, ParsesAGoodRow) {
  auto parsed =
      ParseRow(Columns(),
               {"536365", "85123A", " WHITE HANGING HEART ", "6",
                "2010-12-01 08:26:00", "2.55", "17850.0", "United Kingdom"},
               1);
  ASSERT_TRUE(std::holds_alternative<RetailLine>(parsed));
  const RetailLine& line = std::get<RetailLine>(parsed);
  EXPECT_EQ(line.row, 1);
  EXPECT_EQ(line.invoice_number, 536365);
  EXPECT_FALSE(line.cancelled);
  EXPECT_EQ(line.stock_code, "85123A");
  EXPECT_EQ(line.description, "WHITE HANGING HEART");
  EXPECT_EQ(line.quantity, 6);
  EXPECT_EQ(absl::ToUnixSeconds(line.time), 1291191960);
  EXPECT_EQ(line.unit_price_cents, 255);
  EXPECT_EQ(line.customer_id, "17850");
}

TEST(ParseRowTest, CancellationAndGuest) {
  auto parsed = ParseRow(Columns(),
                         {"C536379", "D", "Discount", "-1",
                          "2010-12-01 09:41:00", "27.50", "", "United Kingdom"},
                         3);
  ASSERT_TRUE(std::holds_alternative<RetailLine>(parsed));
  const RetailLine& line = std::get<RetailLine>(parsed);
  EXPECT_TRUE(line.cancelled);
  EXPECT_EQ(line.invoice_number, 536379);
  EXPECT_EQ(line.quantity, -1);
  EXPECT_EQ(line.customer_id, "");
}

TEST(ParseRowTest, ReportsWhatIsWrong) {
  const std::vector<std::string> good = {
      "536365", "85123A",  "X", "6", "2010-12-01 08:26:00",
      "2.55",   "17850.0", "UK"};
  auto with = [&](int column, std::string value) {
    std::vector<std::string> fields = good;
    fields[column] = std::move(value);
    return IssueOf(fields);
  };
  EXPECT_EQ(IssueOf({"1", "2"}).reason, "wrong number of fields");
  EXPECT_EQ(IssueOf({"1", "2"}).detail, "2 fields, the header has 8");
  EXPECT_EQ(with(0, "A563185").reason, "bad InvoiceNo");
  EXPECT_EQ(with(0, "C").reason, "bad InvoiceNo");
  EXPECT_EQ(with(1, " ").reason, "bad StockCode");
  EXPECT_EQ(with(3, "six").reason, "bad Quantity");
  EXPECT_EQ(with(3, "six").detail, "\"six\" is not an integer");
  EXPECT_EQ(with(4, "yesterday").reason, "bad InvoiceDate");
  EXPECT_EQ(with(5, "-1.5").reason, "bad UnitPrice");
  EXPECT_EQ(with(6, "17850.5").reason, "bad CustomerID");
  EXPECT_EQ(with(6, "abc").reason, "bad CustomerID");
}

TEST(ParseInvoiceDateTest, AcceptsBothExportFormatsAsUtc) {
  const int64_t expected = 1291191960;  // 2010-12-01 08:26:00 UTC
  for (const char* text :
       {"2010-12-01 08:26:00", "2010-12-01 08:26", "12/1/2010 8:26",
        "12/01/2010 08:26", "12/1/2010 8:26:00", " 12/1/2010 8:26 "}) {
    auto time = ParseInvoiceDate(text);
    ASSERT_TRUE(time.ok()) << text << ": " << time.status();
    EXPECT_EQ(absl::ToUnixSeconds(*time), expected) << text;
  }
}

TEST(ParseInvoiceDateTest, RefusesOtherText) {
  for (const char* text :
       {"", "2010-12-01", "13/1/2010 8:26", "12/1/2010 25:00", "2/30/2010 8:26",
        "1/12/2010T08:26", "now"}) {
    EXPECT_FALSE(ParseInvoiceDate(text).ok()) << text;
  }
}

TEST(ParsePriceCentsTest, ParsesExactlyAndRoundsHalfUp) {
  EXPECT_EQ(*ParsePriceCents("2.55"), 255);
  EXPECT_EQ(*ParsePriceCents("2.1"), 210);
  EXPECT_EQ(*ParsePriceCents("165"), 16500);
  EXPECT_EQ(*ParsePriceCents("0.0"), 0);
  EXPECT_EQ(*ParsePriceCents(".5"), 50);
  EXPECT_EQ(*ParsePriceCents("1.005"), 101);
  EXPECT_EQ(*ParsePriceCents("1.0049"), 100);
  for (const char* bad :
       {"", ".", "-1", "1,50", "1e3", "abc", "1234567890123456"}) {
    EXPECT_FALSE(ParsePriceCents(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace smartshop::import
