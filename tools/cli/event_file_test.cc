#include "tools/cli/event_file.h"

#include <set>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::cli {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

MATCHER_P2(IssueOn, line, text, "") {
  return arg.line == line && ::testing::ExplainMatchResult(
                                 HasSubstr(text), arg.message, result_listener);
}

absl::StatusOr<EventFile> Read(const std::string& text, FileFormat format) {
  std::istringstream in(text);
  return ReadEvents(in, format);
}

TEST(EventJsonLinesTest, ReadsEventsWithTheirLines) {
  absl::StatusOr<EventFile> file = Read(
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
  absl::StatusOr<EventFile> file = Read(
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
  absl::StatusOr<EventFile> file = Read(
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
      Read("user_id,product_id\n42,7\n", FileFormat::kCsv);
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
  absl::StatusOr<EventFile> json =
      Read("{\"userId\":\"42\",\"type\":\"view_product\",\"productId\":7}\n",
           FileFormat::kJsonLines);
  absl::StatusOr<EventFile> csv =
      Read("type,product_id,user_id\nVIEW_PRODUCT,7,42\n", FileFormat::kCsv);
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
}  // namespace smartshop::cli
