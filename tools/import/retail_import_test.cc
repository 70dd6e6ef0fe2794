#include "tools/import/retail_import.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/import/event_mapping.h"

namespace smartshop::import {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kRetailHeader[] =
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
    "CustomerID,Country\n";

absl::StatusOr<RetailImport> ReadRetail(const std::string& body,
                                        int64_t limit = 0) {
  std::istringstream in(kRetailHeader + body);
  return ReadRetailCsv(in, limit);
}

const SkipTally::Group* FindRetailGroup(const RetailImport& data,
                                        absl::string_view reason) {
  for (const auto& group : data.skipped.groups()) {
    if (group.reason == reason) return &group;
  }
  return nullptr;
}

TEST(ReadRetailCsvTest, MapsSalesAndAccountsForEverySkippedRow) {
  auto data = ReadRetail(
      // 1: a sale
      "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,"
      "United Kingdom\n"
      // 2: a guest's sale, quoted description with a comma
      "536366,22633,\"HAND WARMER, UNION JACK\",6,12/1/2010 8:28,1.85,,"
      "United Kingdom\n"
      // 3: cancellation
      "C536379,85123A,WHITE HANGING HEART,-1,2010-12-01 09:41:00,2.55,"
      "17850.0,United Kingdom\n"
      // 4: stock adjustment, no description, price 0
      "536589,21777,,-10,2010-12-01 16:50:00,0.0,,United Kingdom\n"
      // 5: malformed quote
      "536390,2\"2,X,1,2010-12-01 10:19:00,1.0,17511.0,United Kingdom\n"
      // 6: bad date
      "536391,22633,X,1,soon,1.0,17511.0,United Kingdom\n"
      // 7: a second sale of product 1
      "536392,85123A,WHITE HANGING HEART T-LIGHT HOLDER,4,"
      "2010-12-01 10:29:00,2.95,13705.0,United Kingdom\n");
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->rows_read, 7);
  EXPECT_EQ(data->sales, 3);
  EXPECT_EQ(data->skipped.total(), 4);

  const auto* cancellation =
      FindRetailGroup(*data, "cancellation (InvoiceNo starts with C)");
  ASSERT_NE(cancellation, nullptr);
  EXPECT_THAT(cancellation->examples,
              ElementsAre("row 3: invoice C536379, quantity -1"));
  ASSERT_NE(
      FindRetailGroup(*data,
                      "non-positive Quantity on an invoice (stock adjustment)"),
      nullptr);
  const auto* malformed = FindRetailGroup(*data, "malformed CSV");
  ASSERT_NE(malformed, nullptr);
  EXPECT_THAT(malformed->examples[0], HasSubstr("row 5: CSV record on line 6"));
  ASSERT_NE(FindRetailGroup(*data, "bad InvoiceDate"), nullptr);

  // Events: view + order per sale, in file order, rows remembered.
  ASSERT_EQ(data->events.size(), 6u);
  EXPECT_THAT(data->event_rows, ElementsAre(1, 1, 2, 2, 7, 7));
  EXPECT_EQ(data->events[1].event_id(), EventId(1, kOrderKind));
  EXPECT_EQ(data->events[3].session_key(), "guest-536366");
  EXPECT_EQ(data->events[5].product_id(), 1);

  // Catalog: ids by first appearance, including the adjusted product.
  const auto products = data->catalog.Products();
  ASSERT_EQ(products.size(), 3u);
  EXPECT_EQ(products[0].id(), 1);
  EXPECT_EQ(products[0].name(), "WHITE HANGING HEART T-LIGHT HOLDER");
  EXPECT_EQ(products[0].price_cents(), 295);
  EXPECT_EQ(products[0].units_sold(), 10);  // the cancellation is not a sale
  EXPECT_EQ(products[1].name(), "HAND WARMER, UNION JACK");
  EXPECT_EQ(products[2].name(), "21777");  // no description: the StockCode
  EXPECT_EQ(products[2].price_cents(), 0);
  EXPECT_EQ(products[2].units_sold(), 0);
  for (const auto& product : products) {
    EXPECT_EQ(product.category_id(), kCategoryId);
    EXPECT_TRUE(product.is_active());
    EXPECT_FALSE(product.has_stock());
  }
}

TEST(ReadRetailCsvTest, LimitCountsDataRowsAndKeepsIds) {
  auto data = ReadRetail(
      "536365,A,x,1,2010-12-01 08:26:00,1,,UK\n"
      "536365,B,x,1,2010-12-01 08:26:00,1,,UK\n"
      "536365,C,x,1,2010-12-01 08:26:00,1,,UK\n",
      2);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->rows_read, 2);
  EXPECT_EQ(data->catalog.size(), 2);
}

TEST(ReadRetailCsvTest, RefusesInputThatIsNotTheDataset) {
  std::istringstream empty("");
  EXPECT_EQ(ReadRetailCsv(empty, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::istringstream movielens("userId,movieId,rating,timestamp\n1,1,4,9\n");
  auto result = ReadRetailCsv(movielens, 0);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(),
              HasSubstr("missing columns InvoiceNo"));
}

TEST(CatalogBuilderTest, NamesStockCodesThatDifferOnlyInCase) {
  auto data = ReadRetail(
      "536365,85123A,x,1,2010-12-01 08:26:00,1,,UK\n"
      "536365,22633,x,1,2010-12-01 08:26:00,1,,UK\n"
      "536365,85123a,x,1,2010-12-01 08:26:00,1,,UK\n");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->catalog.size(), 3);
  EXPECT_THAT(data->catalog.CaseVariants(), ElementsAre("85123A", "85123a"));
}

TEST(CatalogBuilderTest, TruncatesLongNamesOnACharacterBoundary) {
  EXPECT_EQ(TruncateUtf8("abc", 5), "abc");
  EXPECT_EQ(TruncateUtf8("ab\xC3\xA9", 3), "ab");  // é is two bytes
  EXPECT_EQ(TruncateUtf8(std::string(300, 'x'), 255).size(), 255u);
}

}  // namespace
}  // namespace smartshop::import
