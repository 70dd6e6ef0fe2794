#include "tools/eval/placement_splits.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/eval/shop_event_builder.h"

namespace smartshop::eval {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(PurchaseCutTest, IsTheEightiethPercentileOfPurchaseTimes) {
  std::vector<ShopEvent> events;
  for (int t = 1; t <= 10; ++t) events.push_back(Buy("u:1", t, t, 1));
  events.push_back(View("u:1", 99, 1000));  // views do not count
  EXPECT_EQ(PurchaseCut(events), 8);
  EXPECT_EQ(PurchaseCut({View("u:1", 1, 5)}), 0);
}

// 20 purchases, the last 5 from the cut (time 8) on: u:1, u:2, a guest,
// u:3, and filler purchases by u:9 before the cut.
std::vector<ShopEvent> History() {
  std::vector<ShopEvent> events;
  for (int i = 0; i < 9; ++i) events.push_back(Buy("u:9", 900 + i, 1, 100));
  for (const ShopEvent& e :
       {Buy("u:1", 100, 1, 1), Buy("u:2", 200, 2, 2), Buy("u:1", 101, 3, 3),
        View("u:1", 300, 4), Buy("u:2", 201, 5, 4), Buy("u:1", 102, 6, 5),
        Buy("u:1", 103, 7, 5),
        // From the cut on:
        Buy("u:1", 104, 8, 6), Buy("u:1", 104, 9, 7),  // the same again
        Buy("s:g", 500, 9, 8, /*has_shopper=*/false),
        Buy("u:3", 600, 10, 9),  // a first purchase
        Buy("u:2", 202, 10, 10)}) {
    events.push_back(e);
  }
  return events;
}

TEST(ProductPageCasesTest, AsksAboutEachLaterPurchaseGivenThePreviousOne) {
  const std::vector<ShopEvent> events = History();
  const PlacementCases cases = ProductPageCases(events);
  EXPECT_EQ(cases.cut, 8);
  ASSERT_EQ(cases.cases.size(), 2u);
  EXPECT_THAT(cases.cases[0].given, ElementsAre(103));
  EXPECT_EQ(cases.cases[0].held_out, 104);
  EXPECT_EQ(cases.cases[0].learn_end, 16u);  // everything before time 8
  EXPECT_THAT(cases.cases[1].given, ElementsAre(201));
  EXPECT_EQ(cases.cases[1].held_out, 202);
  EXPECT_EQ(cases.cases[1].learn_end, 19u);  // not the other time-10 events
  // 104 again, the guest's, u:3's first.
  EXPECT_EQ(cases.no_question, 3);
}

TEST(ProductPageCasesTest, LearnsNothingOfTheHeldOutSale) {
  // The view a minute before the sale (Online Retail) is part of it.
  std::vector<ShopEvent> events;
  for (int t = 1; t <= 4; ++t) events.push_back(Buy("u:1", t, t * 100, t));
  ShopEvent view = View("u:1", 5, 440);
  ShopEvent sale = Buy("u:1", 5, 500, 5);
  view.origin = sale.origin = 440;
  events.push_back(view);
  events.push_back(sale);
  const PlacementCases cases = ProductPageCases(events);
  // The cut is at 400: the purchases of 4 and 5 are held out.
  ASSERT_EQ(cases.cases.size(), 2u);
  EXPECT_EQ(cases.cases[1].held_out, 5);
  EXPECT_EQ(cases.cases[1].learn_end, 4u);
}

TEST(CartCasesTest, LeavesEachProductOfALaterBasketOut) {
  std::vector<ShopEvent> events;
  for (int t = 1; t <= 8; ++t) events.push_back(Buy("u:1", t, t, t));
  // Basket 20 from the cut: 30, 31, 30 again, 32 (by a guest).
  events.push_back(Buy("s:g", 30, 9, 20, false));
  events.push_back(Buy("s:g", 31, 9, 20, false));
  events.push_back(Buy("s:g", 30, 9, 20, false));
  events.push_back(Buy("s:g", 32, 9, 20, false));
  // Basket 21 holds one product: no question.
  events.push_back(Buy("u:2", 40, 10, 21));
  const PlacementCases cases = CartCases(events);
  EXPECT_EQ(cases.cut, 9);
  EXPECT_EQ(cases.baskets, 1);
  EXPECT_EQ(cases.no_question, 1);
  ASSERT_EQ(cases.cases.size(), 3u);
  EXPECT_EQ(cases.cases[0].held_out, 30);
  EXPECT_THAT(cases.cases[0].given, ElementsAre(31, 32));
  EXPECT_EQ(cases.cases[1].held_out, 31);
  EXPECT_THAT(cases.cases[1].given, ElementsAre(30, 32));
  EXPECT_EQ(cases.cases[2].held_out, 32);
  EXPECT_THAT(cases.cases[2].given, ElementsAre(30, 31));
  for (const PlacementCase& c : cases.cases) EXPECT_EQ(c.learn_end, 8u);
}

TEST(CartCasesTest, SkipsBasketsLargerThanACartAndCountsThem) {
  std::vector<ShopEvent> events;
  for (int p = 1; p <= 4; ++p) events.push_back(Buy("u:1", p, 1, 1));
  const PlacementCases cases = CartCases(events, /*max_items=*/3);
  EXPECT_THAT(cases.cases, IsEmpty());
  EXPECT_EQ(cases.baskets_too_large, 1);
  EXPECT_EQ(cases.baskets, 0);
}

}  // namespace
}  // namespace smartshop::eval
