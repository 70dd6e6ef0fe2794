#include "tools/import/message_csv.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smartshop/v1/catalog.pb.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;
using ::testing::HasSubstr;

const google::protobuf::FieldDescriptor& FieldOf(
    const google::protobuf::Descriptor& type, const std::string& name) {
  return *type.FindFieldByName(name);
}

TEST(SetFieldFromTextTest, ParsesEachFieldType) {
  Interaction event;
  const auto& type = *Interaction::descriptor();
  ASSERT_TRUE(
      SetFieldFromText(FieldOf(type, "type"), "Order_Placed", event).ok());
  ASSERT_TRUE(SetFieldFromText(FieldOf(type, "order_id"), "-12", event).ok());
  ASSERT_TRUE(SetFieldFromText(FieldOf(type, "quantity"), "3", event).ok());
  ASSERT_TRUE(SetFieldFromText(FieldOf(type, "timestamp"),
                               "2024-05-01T14:00:00+02:00", event)
                  .ok());
  ASSERT_TRUE(SetFieldFromText(FieldOf(type, "user_id"), " 42 ", event).ok());
  EXPECT_EQ(event.type(), smartshop::v1::ORDER_PLACED);
  EXPECT_EQ(event.order_id(), -12);
  EXPECT_EQ(event.quantity(), 3);
  EXPECT_EQ(event.timestamp().seconds(), 1714564800);
  EXPECT_EQ(event.user_id(), " 42 ");  // strings are data
  smartshop::v1::Product product;
  ASSERT_TRUE(SetFieldFromText(FieldOf(*product.GetDescriptor(), "is_active"),
                               "FALSE", product)
                  .ok());
  ASSERT_TRUE(
      SetFieldFromText(FieldOf(*product.GetDescriptor(), "stock"), "0", product)
          .ok());
  EXPECT_TRUE(product.has_stock());
}

TEST(SetFieldFromTextTest, SaysWhatWasExpected) {
  Interaction event;
  const auto& type = *Interaction::descriptor();
  EXPECT_THAT(SetFieldFromText(FieldOf(type, "quantity"), "99999999999", event)
                  .message(),
              HasSubstr("is not a whole number (32-bit)"));
  EXPECT_THAT(SetFieldFromText(FieldOf(type, "type"),
                               "interaction_type_unspecified", event)
                  .message(),
              HasSubstr("is not one of view_category, view_product"));
  EXPECT_THAT(SetFieldFromText(FieldOf(type, "timestamp"), "1714564800", event)
                  .message(),
              HasSubstr("RFC 3339"));
}

TEST(MessageCsvColumnsTest, FillsFromARowAndLeavesEmptyCellsUnset) {
  absl::StatusOr<MessageCsvColumns> columns = MessageCsvColumns::FromHeader(
      *Interaction::descriptor(), {"type", "productId", " user_id "}, {"type"});
  ASSERT_TRUE(columns.ok()) << columns.status();
  Interaction event;
  event.set_page_url("left over");
  ASSERT_TRUE(columns->Fill({"search", " ", "42"}, event).ok());
  EXPECT_EQ(event.type(), smartshop::v1::SEARCH);
  EXPECT_EQ(event.product_id(), 0);
  EXPECT_EQ(event.user_id(), "42");
  EXPECT_EQ(event.page_url(), "");  // cleared first
  EXPECT_THAT(columns->Fill({"", "1", "42"}, event).message(),
              HasSubstr("type: empty, but required"));
  EXPECT_THAT(columns->Fill({"search", "x", "42"}, event).message(),
              HasSubstr("product_id: \"x\" is not a whole number"));
}

TEST(MessageCsvColumnsTest, RefusesUnknownAndRepeatedColumns) {
  absl::StatusOr<MessageCsvColumns> columns = MessageCsvColumns::FromHeader(
      *smartshop::v1::Product::descriptor(),
      {"id", "name", "product_id", "categoryId", "category_id"}, {"id"});
  EXPECT_EQ(columns.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(columns.status().message(),
              HasSubstr("unknown column \"product_id\"; column "
                        "\"category_id\" repeats category_id"));
}

}  // namespace
}  // namespace smartshop::import
