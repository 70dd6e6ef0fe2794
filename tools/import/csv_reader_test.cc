#include "tools/import/csv_reader.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Records = std::vector<std::vector<std::string>>;

// Every record of `text`, with errors turned into a record holding the
// message, so that a test sees where the reader resumed.
Records ReadAll(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(&in);
  Records records;
  std::vector<std::string> fields;
  while (true) {
    absl::StatusOr<bool> got = reader.Next(fields);
    if (!got.ok()) {
      records.push_back({"ERROR", std::string(got.status().message())});
      if (got.status().code() != absl::StatusCode::kInvalidArgument) break;
      continue;
    }
    if (!*got) break;
    records.push_back(fields);
  }
  return records;
}

TEST(CsvReaderTest, PlainFieldsAndLineEndings) {
  EXPECT_THAT(
      ReadAll("a,b,c\n1,2,3\n"),
      ElementsAre(ElementsAre("a", "b", "c"), ElementsAre("1", "2", "3")));
  EXPECT_THAT(ReadAll("a,b\r\n1,2\r\n"),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
  // No line break after the last record.
  EXPECT_THAT(ReadAll("a,b\n1,2"),
              ElementsAre(ElementsAre("a", "b"), ElementsAre("1", "2")));
}

TEST(CsvReaderTest, EmptyFieldsAreKept) {
  EXPECT_THAT(ReadAll(",x,,\n"), ElementsAre(ElementsAre("", "x", "", "")));
  EXPECT_THAT(ReadAll("\"\",a\n"), ElementsAre(ElementsAre("", "a")));
}

TEST(CsvReaderTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  EXPECT_THAT(
      ReadAll("536381,\"AIRLINE LOUNGE,METAL SIGN\",2\n"
              "536477,\"RECORD FRAME 7\"\" SINGLE SIZE \",48\n"
              "1,\"two\r\nlines\",3\n"),
      ElementsAre(ElementsAre("536381", "AIRLINE LOUNGE,METAL SIGN", "2"),
                  ElementsAre("536477", "RECORD FRAME 7\" SINGLE SIZE ", "48"),
                  ElementsAre("1", "two\r\nlines", "3")));
}

TEST(CsvReaderTest, ReportsTheLineARecordStartsOn) {
  std::istringstream in("h\n\"a\nb\"\nc\n");
  CsvReader reader(&in);
  std::vector<std::string> fields;
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_EQ(reader.record_line(), 1);
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_EQ(reader.record_line(), 2);
  ASSERT_TRUE(*reader.Next(fields));
  EXPECT_EQ(reader.record_line(), 4);
  EXPECT_FALSE(*reader.Next(fields));
}

TEST(CsvReaderTest, SkipsBlankLinesAndByteOrderMark) {
  EXPECT_THAT(
      ReadAll("\xEF\xBB\xBFInvoiceNo,x\n\n1,2\n\r\n"),
      ElementsAre(ElementsAre("InvoiceNo", "x"), ElementsAre("1", "2")));
  EXPECT_THAT(ReadAll(""), ElementsAre());
  EXPECT_THAT(ReadAll("a"), ElementsAre(ElementsAre("a")));
}

TEST(CsvReaderTest, MalformedRecordIsReportedAndReadingGoesOn) {
  const Records records =
      ReadAll("ok,1\nbad\"quote,2\n\"closed\"junk,3\nalso ok,4\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(records[0], ElementsAre("ok", "1"));
  EXPECT_EQ(records[1][0], "ERROR");
  EXPECT_THAT(records[1][1],
              HasSubstr("line 2: a quote inside unquoted field 1"));
  EXPECT_EQ(records[2][0], "ERROR");
  EXPECT_THAT(records[2][1],
              HasSubstr("line 3: text after the closing quote of field 1"));
  EXPECT_THAT(records[3], ElementsAre("also ok", "4"));
}

TEST(CsvReaderTest, UnclosedQuoteIsAnErrorAtTheEnd) {
  const Records records = ReadAll("a,b\n1,\"never closed\n2,3\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_THAT(records[0], ElementsAre("a", "b"));
  EXPECT_EQ(records[1][0], "ERROR");
  EXPECT_THAT(records[1][1], HasSubstr("the quote opening field 2 on line 2 "
                                       "is not closed by the end of input"));
}

}  // namespace
}  // namespace smartshop::import
