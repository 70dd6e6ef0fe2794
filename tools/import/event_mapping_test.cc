#include "tools/import/event_mapping.h"

#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;

RetailLine Sale() {
  RetailLine line;
  line.row = 1;
  line.invoice_no = "536365";
  line.invoice_number = 536365;
  line.stock_code = "85123A";
  line.quantity = 6;
  line.time = absl::FromUnixSeconds(1291191960);  // 2010-12-01 08:26 UTC
  line.unit_price_cents = 255;
  line.customer_id = "17850";
  return line;
}

TEST(EventIdTest, IsUuidV5OfRowAndKind) {
  // Python: uuid.uuid5(UUID("a9b13b05-bb8f-423f-9dc5-20e888e2e4dc"),
  //                    "online-retail:1:order")
  EXPECT_EQ(EventId(1, kOrderKind), "5761ffe3-85f3-5f36-be6b-fe2880b09403");
  EXPECT_EQ(EventId(1, kViewKind), "be9df79a-f4c4-524b-9f31-a50ec0f5b77e");
  EXPECT_EQ(EventId(2, kOrderKind), EventId(2, kOrderKind));
  EXPECT_NE(EventId(2, kOrderKind), EventId(3, kOrderKind));
}

TEST(ToEventsTest, ViewOneMinuteBeforeTheOrder) {
  const auto [view, order] = ToEvents(Sale(), 42);

  EXPECT_EQ(order.type(), smartshop::v1::ORDER_PLACED);
  EXPECT_EQ(order.event_id(), EventId(1, kOrderKind));
  EXPECT_EQ(order.user_id(), "17850");
  EXPECT_EQ(order.session_key(), "");
  EXPECT_EQ(order.product_id(), 42);
  EXPECT_EQ(order.order_id(), 536365);
  EXPECT_EQ(order.quantity(), 6);
  EXPECT_EQ(order.timestamp().seconds(), 1291191960);
  EXPECT_EQ(order.timestamp().nanos(), 0);

  EXPECT_EQ(view.type(), smartshop::v1::VIEW_PRODUCT);
  EXPECT_EQ(view.event_id(), EventId(1, kViewKind));
  EXPECT_EQ(view.user_id(), "17850");
  EXPECT_EQ(view.product_id(), 42);
  EXPECT_EQ(view.order_id(), 0);
  EXPECT_EQ(view.quantity(), 0);
  EXPECT_EQ(view.timestamp().seconds(), 1291191960 - 60);
}

TEST(ToEventsTest, GuestBecomesASessionOfTheInvoice) {
  RetailLine line = Sale();
  line.customer_id = "";
  const auto [view, order] = ToEvents(line, 42);
  EXPECT_EQ(order.user_id(), "");
  EXPECT_EQ(order.session_key(), "guest-536365");
  EXPECT_EQ(view.session_key(), "guest-536365");
}

TEST(ToEventsTest, SameLineSameEvents) {
  const auto first = ToEvents(Sale(), 42);
  const auto again = ToEvents(Sale(), 42);
  EXPECT_EQ(first[0].SerializeAsString(), again[0].SerializeAsString());
  EXPECT_EQ(first[1].SerializeAsString(), again[1].SerializeAsString());
}

TEST(WhyNotASaleTest, CancellationsAndAdjustmentsAreNoSales) {
  EXPECT_FALSE(WhyNotASale(Sale()).has_value());

  RetailLine cancelled = Sale();
  cancelled.cancelled = true;
  cancelled.invoice_no = "C536379";
  cancelled.quantity = -1;
  auto issue = WhyNotASale(cancelled);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->reason, "cancellation (InvoiceNo starts with C)");
  EXPECT_EQ(issue->detail, "invoice C536379, quantity -1");

  RetailLine adjustment = Sale();
  adjustment.quantity = -10;
  issue = WhyNotASale(adjustment);
  ASSERT_TRUE(issue.has_value());
  EXPECT_EQ(issue->reason,
            "non-positive Quantity on an invoice (stock adjustment)");
  adjustment.quantity = 0;
  EXPECT_TRUE(WhyNotASale(adjustment).has_value());

  RetailLine huge = Sale();
  huge.quantity = kMaxQuantity + 1;
  EXPECT_TRUE(WhyNotASale(huge).has_value());
}

}  // namespace
}  // namespace smartshop::import
