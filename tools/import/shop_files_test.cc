#include "tools/import/shop_files.h"

#include <set>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MATCHER_P2(IssueOn, line, text, "") {
  return arg.line == line && ::testing::ExplainMatchResult(
                                 HasSubstr(text), arg.message, result_listener);
}

absl::StatusOr<CatalogFile> ReadShopFiles(const std::string& text,
                                          FileFormat format) {
  std::istringstream in(text);
  return ReadCatalog(in, format);
}

absl::StatusOr<EventFile> ReadEventText(const std::string& text,
                                        FileFormat format) {
  std::istringstream in(text);
  return ReadEvents(in, format);
}

constexpr char kShopHeader[] =
    "id,name,category_id,category_name,is_active,units_sold,stock,"
    "price_cents\n";

TEST(CatalogCsvTest, ReadsProductsAndDerivesCategories) {
  absl::StatusOr<CatalogFile> file =
      ReadShopFiles(absl::StrCat(kShopHeader,
                                 "1,Mug,3,Kitchen,true,10,5,899\n"
                                 "2,\"Lamp, brass\",2,Living,false,0,,12000\n"
                                 "3,Spoon,3,Kitchen,1,4,0,150\n"),
                    FileFormat::kCsv);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 3);
  EXPECT_THAT(file->skipped, IsEmpty());
  EXPECT_THAT(file->notes, IsEmpty());
  ASSERT_EQ(file->products.size(), 3u);
  EXPECT_THAT(file->product_lines, ElementsAre(2, 3, 4));
  const smartshop::v1::Product& lamp = file->products[1];
  EXPECT_EQ(lamp.name(), "Lamp, brass");
  EXPECT_FALSE(lamp.is_active());
  EXPECT_FALSE(lamp.has_stock());  // empty = not tracked
  EXPECT_EQ(lamp.price_cents(), 12000);
  EXPECT_TRUE(file->products[2].has_stock());
  EXPECT_EQ(file->products[2].stock(), 0);
  // One per id, ascending.
  ASSERT_EQ(file->categories.size(), 2u);
  EXPECT_EQ(file->categories[0].id(), 2);
  EXPECT_EQ(file->categories[0].name(), "Living");
  EXPECT_EQ(file->categories[1].id(), 3);
  EXPECT_EQ(file->categories[1].name(), "Kitchen");
}

TEST(CatalogCsvTest, SkipsBadLinesByLineNumberAndKeepsTheRest) {
  absl::StatusOr<CatalogFile> file = ReadShopFiles(
      absl::StrCat(kShopHeader,
                   "1,Mug,3,Kitchen,true,10,5,899\n"          // line 2
                   "0,Zero,3,Kitchen,true,0,,0\n"             // 3: id
                   "4,Tea,3,Kitchen,true,0,,12.50\n"          // 4: price
                   "5,,3,Kitchen,true,0,,100\n"               // 5: name
                   "6,Cup,3,Kitchen,true\n"                   // 6: fields
                   "7,Bo\"wl,3,Kitchen,true,0,,1\n"           // 7: quote
                   "8,Pan,0,Kitchen,true,0,,100\n"            // 8: category
                   "9,Pot,3,Kitchen,,0,,100\n"                // 9: is_active
                   "10,Jar,3,Kitchen,maybe,0,,100\n"          // 10
                   "11,Lid,3,Kitchen,true,-1,,100\n"          // 11
                   "12,\"Multi\nline\",3,Kitchen,yes,0,,1\n"  // 12-13
                   "14,Last,3,Kitchen,no,0,-2,1\n"),          // 14: stock
      FileFormat::kCsv);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 12);
  EXPECT_THAT(file->product_lines, ElementsAre(2, 12));
  EXPECT_THAT(
      file->skipped,
      ElementsAre(IssueOn(3, "id: must be > 0"),
                  IssueOn(4, "price_cents: \"12.50\" is not a whole number"),
                  IssueOn(5, "name: empty, but required"),
                  IssueOn(6, "5 fields where the header has 8"),
                  IssueOn(7, "malformed CSV: a quote inside unquoted field 2"),
                  IssueOn(8, "category_name: given without a category_id"),
                  IssueOn(9, "is_active: empty, but required"),
                  IssueOn(10, "is_active: \"maybe\" is not true or false"),
                  IssueOn(11, "units_sold: must not be negative"),
                  IssueOn(14, "stock: must not be negative")));
}

TEST(CatalogCsvTest, ALaterLineWinsAndSaysSo) {
  absl::StatusOr<CatalogFile> file =
      ReadShopFiles(absl::StrCat(kShopHeader,
                                 "1,Mug,3,Kitchen,true,10,5,899\n"
                                 "2,Pan,3,Cooking,true,0,,100\n"
                                 "1,Mug XL,3,Kitchen,true,11,5,999\n"
                                 "4,Odd,9,,true,0,,1\n"),
                    FileFormat::kCsv);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->products.size(), 3u);
  EXPECT_EQ(file->products[0].name(), "Mug XL");
  EXPECT_EQ(file->product_lines[0], 4);
  EXPECT_THAT(file->skipped, IsEmpty());
  EXPECT_THAT(file->notes,
              ElementsAre(IssueOn(3,
                                  "was named \"Kitchen\" on line 2; "
                                  "\"Cooking\" wins"),
                          IssueOn(4,
                                  "named \"Cooking\" on line 3; "
                                  "\"Kitchen\" wins"),
                          IssueOn(4, "product 1 again (line 2)"),
                          IssueOn(5, "category 9 has no category_name")));
  ASSERT_EQ(file->categories.size(), 1u);
  EXPECT_EQ(file->categories[0].name(), "Kitchen");
}

TEST(CatalogCsvTest, RefusesAHeaderWithUnknownOrMissingColumns) {
  absl::StatusOr<CatalogFile> file = ReadShopFiles(
      "id,title,is_active,colour\n1,Mug,true,red\n", FileFormat::kCsv);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(),
              HasSubstr("unknown column \"title\"; unknown column \"colour\"; "
                        "no column \"name\""));
  EXPECT_THAT(file.status().message(), HasSubstr("the columns are id, name"));
  EXPECT_EQ(ReadShopFiles("", FileFormat::kCsv).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CatalogCsvTest, AcceptsJsonNamesAndAnyColumnOrder) {
  absl::StatusOr<CatalogFile> file = ReadShopFiles(
      "isActive, name ,id,priceCents\ntrue,Mug,1,899\n", FileFormat::kCsv);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->products.size(), 1u);
  EXPECT_EQ(file->products[0].price_cents(), 899);
  EXPECT_TRUE(file->products[0].is_active());
}

TEST(CatalogJsonLinesTest, ReadsGoodLinesAndReportsBadOnesByLine) {
  absl::StatusOr<CatalogFile> file = ReadShopFiles(
      "{\"id\":1,\"name\":\"Mug\",\"categoryId\":3,\"categoryName\":"
      "\"Kitchen\","
      "\"isActive\":true,\"unitsSold\":\"10\",\"stock\":5,\"priceCents\":899}\n"
      "\n"
      "{\"id\":2,\"name\":\"Pan\"\n"
      "{\"id\":3,\"name\":\"Pot\",\"colour\":\"red\"}\n"
      "{\"id\":-4,\"name\":\"Lid\"}\r\n"
      "{\"id\":5,\"name\":\"Jar\",\"category_id\":3,\"is_active\":true}\n",
      FileFormat::kJsonLines);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 5);
  EXPECT_THAT(file->product_lines, ElementsAre(1, 6));
  EXPECT_EQ(file->products[0].units_sold(), 10);
  EXPECT_TRUE(file->products[0].has_stock());
  EXPECT_TRUE(file->products[1].is_active());
  EXPECT_THAT(file->skipped,
              ElementsAre(IssueOn(3, "not proto JSON of Product"),
                          IssueOn(4, "colour"), IssueOn(5, "id: must be > 0")));
  ASSERT_EQ(file->categories.size(), 1u);
  EXPECT_EQ(file->categories[0].name(), "Kitchen");
}

TEST(CatalogJsonLinesTest, AMissingIsActiveMeansInactive) {
  absl::StatusOr<CatalogFile> file =
      ReadShopFiles("{\"id\":1,\"name\":\"Mug\"}\n", FileFormat::kJsonLines);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->products.size(), 1u);
  EXPECT_FALSE(file->products[0].is_active());
}

TEST(CheckProductTest, NamesTheFieldAtFault) {
  smartshop::v1::Product product;
  product.set_id(1);
  product.set_name(std::string(256, 'x'));
  EXPECT_THAT(CheckProduct(product).message(),
              HasSubstr("name: longer than 255 bytes"));
  product.set_name("ok");
  product.set_price_cents(-1);
  EXPECT_THAT(CheckProduct(product).message(),
              HasSubstr("price_cents: must not be negative"));
}

TEST(EventJsonLinesTest, ReadsEventsWithTheirLines) {
  absl::StatusOr<EventFile> file = ReadEventText(
      "\xEF\xBB\xBF{\"userId\":\"42\",\"type\":\"view_product\",\"productId\":"
      "7,"
      "\"timestamp\":\"2024-05-01T12:00:00Z\"}\n"
      "\n"
      "{\"session_key\":\"s1\",\"type\":\"ADD_TO_CART\",\"product_id\":\"7\","
      "\"quantity\":2,\"extraData\":\"{\\\"ab\\\":\\\"b\\\"}\"}\n"
      "  {\"userId\":\"42\",\"type\":\"search\",\"searchQuery\":\"mug\"}  \n",
      FileFormat::kJsonLines);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 3);
  EXPECT_THAT(file->skipped, IsEmpty());
  EXPECT_THAT(file->event_lines, ElementsAre(1, 3, 4));
  ASSERT_EQ(file->events.size(), 3u);
  EXPECT_EQ(file->events[0].type(), smartshop::v1::VIEW_PRODUCT);
  EXPECT_EQ(file->events[0].timestamp().seconds(), 1714564800);
  EXPECT_EQ(file->events[1].session_key(), "s1");
  EXPECT_EQ(file->events[1].product_id(), 7);
  EXPECT_EQ(file->events[1].extra_data(), "{\"ab\":\"b\"}");
  EXPECT_EQ(file->events[2].search_query(), "mug");
}

TEST(EventJsonLinesTest, ReportsUnparsableLinesByNumberAndKeepsTheRest) {
  absl::StatusOr<EventFile> file = ReadEventText(
      "{\"userId\":\"1\",\"type\":\"view_product\",\"productId\":1}\n"
      "not json\n"
      "{\"userId\":\"1\",\"type\":\"look_around\"}\n"
      "{\"userId\":\"1\",\"type\":\"search\",\"query\":\"x\"}\n"
      "{\"userId\":\"1\",\"type\":\"view_product\",\"productId\":\"x\"}\n"
      "[1,2]\n"
      "{\"userId\":\"1\",\"type\":\"view_product\"}\n",
      FileFormat::kJsonLines);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 7);
  // The service judges content (line 7 lacks product_id); only syntax and
  // unknown names are caught here.
  EXPECT_THAT(file->event_lines, ElementsAre(1, 7));
  EXPECT_THAT(file->skipped,
              ElementsAre(IssueOn(2, "not proto JSON of Interaction"),
                          IssueOn(3, "not proto JSON of Interaction"),
                          IssueOn(4, "query"),
                          IssueOn(5, "not proto JSON of Interaction"),
                          IssueOn(6, "not proto JSON of Interaction")));
}

TEST(EventCsvTest, ReadsInteractionFieldsByHeader) {
  absl::StatusOr<EventFile> file = ReadEventText(
      "user_id,sessionKey,type,timestamp,product_id,quantity,page_url\n"
      "42,,view_product,2024-05-01T12:00:00Z,7,,https://x/p/7\n"
      ",s1,Add_To_Cart,,7,2,\n"
      "42,,teleport,,7,,\n"
      "42,,order_placed,May 1st,7,1,\n",
      FileFormat::kCsv);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 4);
  EXPECT_THAT(file->event_lines, ElementsAre(2, 3));
  EXPECT_EQ(file->events[0].page_url(), "https://x/p/7");
  EXPECT_EQ(file->events[0].timestamp().seconds(), 1714564800);
  EXPECT_EQ(file->events[1].type(), smartshop::v1::ADD_TO_CART);
  EXPECT_FALSE(file->events[1].has_timestamp());
  EXPECT_THAT(
      file->skipped,
      ElementsAre(IssueOn(4, "type: \"teleport\" is not one of view_category"),
                  IssueOn(5, "timestamp: \"May 1st\" is not an RFC 3339")));
}

TEST(EventCsvTest, RefusesAHeaderWithoutType) {
  absl::StatusOr<EventFile> file =
      ReadEventText("user_id,product_id\n42,7\n", FileFormat::kCsv);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(file.status().message(), HasSubstr("no column \"type\""));
}

std::vector<Interaction> SampleEvents() {
  Interaction view;
  view.set_user_id("42");
  view.set_type(smartshop::v1::VIEW_PRODUCT);
  view.set_product_id(7);
  Interaction given = view;
  given.set_event_id("0b0e0c4e-2a52-4c5e-8f3f-5b0c8d4b9a11");
  return {view, view, given};
}

TEST(StableEventIdsTest, AreTheSameOnEveryRun) {
  std::vector<Interaction> first = SampleEvents();
  std::vector<Interaction> second = SampleEvents();
  EXPECT_EQ(AssignStableEventIds(first), 2);
  EXPECT_EQ(AssignStableEventIds(second), 2);
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].event_id(), second[i].event_id());
  }
  EXPECT_EQ(first[0].event_id().size(), 36u);
}

TEST(StableEventIdsTest, KeepIdenticalEventsApartAndGivenIdsAsTheyAre) {
  std::vector<Interaction> events = SampleEvents();
  AssignStableEventIds(events);
  EXPECT_NE(events[0].event_id(), events[1].event_id());
  EXPECT_EQ(events[2].event_id(), "0b0e0c4e-2a52-4c5e-8f3f-5b0c8d4b9a11");
}

TEST(StableEventIdsTest, DependOnContentNotOnFormatting) {
  absl::StatusOr<EventFile> json = ReadEventText(
      "{\"userId\":\"42\",\"type\":\"view_product\",\"productId\":7}\n",
      FileFormat::kJsonLines);
  absl::StatusOr<EventFile> csv = ReadEventText(
      "type,product_id,user_id\nVIEW_PRODUCT,7,42\n", FileFormat::kCsv);
  ASSERT_TRUE(json.ok() && csv.ok());
  AssignStableEventIds(json->events);
  AssignStableEventIds(csv->events);
  EXPECT_EQ(json->events[0].event_id(), csv->events[0].event_id());
  EXPECT_EQ(json->events[0].event_id(), [] {
    std::vector<Interaction> events = SampleEvents();
    AssignStableEventIds(events);
    return events[0].event_id();
  }());
}

TEST(ChooseFormatTest, FollowsTheExtensionElseTheFlag) {
  EXPECT_EQ(*ChooseFormat("a.CSV", ""), FileFormat::kCsv);
  EXPECT_EQ(*ChooseFormat("a.jsonl", ""), FileFormat::kJsonLines);
  EXPECT_EQ(*ChooseFormat("a.ndjson", ""), FileFormat::kJsonLines);
  EXPECT_EQ(*ChooseFormat("a.txt", "jsonl"), FileFormat::kJsonLines);
  EXPECT_EQ(*ChooseFormat("a.csv", "jsonl"), FileFormat::kCsv);
  EXPECT_EQ(*ChooseFormat("-", "csv"), FileFormat::kCsv);
  EXPECT_THAT(ChooseFormat("-", "").status().message(),
              HasSubstr("give --format=csv or --format=jsonl"));
  EXPECT_THAT(ChooseFormat("a.csv", "xml").status().message(),
              HasSubstr("--format=xml"));
}

}  // namespace
}  // namespace smartshop::import
