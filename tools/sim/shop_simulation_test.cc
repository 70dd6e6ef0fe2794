#include "tools/sim/shop_simulation.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::sim {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;

Interaction OrderLine(std::string user, int64_t order, int64_t product,
                      int32_t quantity, int64_t seconds) {
  Interaction e;
  e.set_user_id(std::move(user));
  e.set_type(smartshop::v1::ORDER_PLACED);
  e.set_order_id(order);
  e.set_product_id(product);
  e.set_quantity(quantity);
  e.mutable_timestamp()->set_seconds(seconds);
  return e;
}

smartshop::v1::Recommendations Answer(std::string id,
                                      std::vector<int64_t> products) {
  smartshop::v1::Recommendations answer;
  answer.set_recommendation_id(std::move(id));
  for (size_t i = 0; i < products.size(); ++i) {
    auto* item = answer.add_items();
    item->mutable_product()->set_id(products[i]);
    item->set_position(static_cast<int>(i) + 1);
  }
  return answer;
}

// "type:product[:recommendation_id:position]" per event.
std::vector<std::string> Describe(const std::vector<Interaction>& events) {
  std::vector<std::string> out;
  for (const Interaction& e : events) {
    std::string text = absl::StrCat(
        smartshop::v1::InteractionType_Name(e.type()), ":", e.product_id());
    if (!e.recommendation_id().empty()) {
      absl::StrAppend(&text, ":", e.recommendation_id(), ":", e.position());
    }
    out.push_back(text);
  }
  return out;
}

TEST(InvoicesOfTest, GroupsOrderLinesIntoInvoicesInTimeOrder) {
  const std::vector<Interaction> events = {
      OrderLine("b", 2, 7, 1, 200), OrderLine("a", 1, 5, 2, 100),
      OrderLine("a", 1, 6, 1, 100), OrderLine("a", 1, 5, 3, 100),
      OrderLine("b", 2, 8, 0, 200)};
  const std::vector<Invoice> invoices = InvoicesOf(events);
  ASSERT_EQ(invoices.size(), 2u);
  EXPECT_EQ(invoices[0].user_id, "a");
  ASSERT_EQ(invoices[0].lines.size(), 2u);
  EXPECT_EQ(invoices[0].lines[0].product_id, 5);
  EXPECT_EQ(invoices[0].lines[0].quantity, 5);  // merged
  EXPECT_EQ(invoices[1].order_id, 2);
  EXPECT_EQ(invoices[1].lines[1].quantity, 1);  // 0 = one
}

TEST(VisitEventsTest, ClicksOnlyRecommendedProductsOfTheBasket) {
  Invoice invoice{.user_id = "a", .order_id = 9};
  invoice.lines = {{5, 2}, {6, 1}, {7, 1}};
  const std::vector<smartshop::v1::Recommendations> answers = {
      Answer("home", {1, 7, 2}), Answer("page", {6, 3, 7})};
  const std::vector<Interaction> events =
      VisitEvents(invoice, answers, absl::FromUnixSeconds(1000));
  EXPECT_THAT(
      Describe(events),
      ElementsAre("VIEW_PRODUCT:5",
                  // 7 from the home page (first seen), 6 from the page
                  "VIEW_PRODUCT:7:home:2", "ADD_TO_CART:7",
                  "VIEW_PRODUCT:6:page:1", "ADD_TO_CART:6",
                  // the rest of the basket: only the first item
                  "ADD_TO_CART:5",
                  // every line ordered
                  "ORDER_PLACED:5", "ORDER_PLACED:6", "ORDER_PLACED:7"));
  // A millisecond apart, in order; the order lines carry the invoice.
  EXPECT_EQ(events[1].timestamp().nanos(), 1'000'000);
  EXPECT_EQ(events[6].order_id(), 9);
  EXPECT_EQ(events[6].quantity(), 2);
}

TEST(VisitEventsTest, NothingRecommendedMeansNoClicks) {
  Invoice invoice{
      .session_key = "guest-1", .order_id = 1, .lines = {{5, 1}, {6, 1}}};
  const std::vector<Interaction> events = VisitEvents(
      invoice, {Answer("home", {1, 2})}, absl::FromUnixSeconds(1000));
  EXPECT_THAT(Describe(events),
              ElementsAre("VIEW_PRODUCT:5", "ADD_TO_CART:5", "VIEW_PRODUCT:6",
                          "ADD_TO_CART:6", "ORDER_PLACED:5", "ORDER_PLACED:6"));
  EXPECT_EQ(events[0].session_key(), "guest-1");
}

}  // namespace
}  // namespace smartshop::sim
