#include "tools/eval/placement_data.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/eval/rating_builder.h"

namespace smartshop::eval {
namespace {

using recommender::Signal;
using ::testing::ElementsAre;
using ::testing::SizeIs;

TEST(FromMovieLensTest, EveryRatingIsAViewAndALikedOneAlsoAPurchase) {
  Dataset dataset;
  dataset.data.ratings = {R(2, 10, 5, 3 * kBasketDay + 5),
                          R(1, 11, 3, 3 * kBasketDay),
                          R(1, 12, 4, 3 * kBasketDay + 1)};
  const ShopData shop = FromMovieLens(dataset);
  EXPECT_EQ(shop.name, "movielens");
  ASSERT_THAT(shop.events, SizeIs(5));
  // In event order, each purchase right after its view, at the same time.
  EXPECT_EQ(shop.events[0].product_id, 11);
  EXPECT_EQ(shop.events[0].signal, Signal::kView);
  EXPECT_EQ(shop.events[0].actor, "u:1");
  EXPECT_EQ(shop.events[1].product_id, 12);
  EXPECT_EQ(shop.events[1].signal, Signal::kView);
  EXPECT_EQ(shop.events[2].product_id, 12);
  EXPECT_EQ(shop.events[2].signal, Signal::kPurchase);
  EXPECT_EQ(shop.events[2].origin, 3 * kBasketDay + 1);
  EXPECT_EQ(shop.events[0].basket, 0);  // views have none
  EXPECT_GT(shop.events[2].basket, 0);
  EXPECT_EQ(shop.events[4].actor, "u:2");
  EXPECT_NE(shop.events[4].basket, shop.events[2].basket);
}

TEST(FromMovieLensTest, ABasketIsAUsersPurchasesOfOneUtcDay) {
  Dataset dataset;
  dataset.data.ratings = {
      R(1, 10, 5, 3 * kBasketDay), R(1, 11, 4, 4 * kBasketDay - 1),
      R(1, 12, 4, 4 * kBasketDay), R(2, 13, 4, 3 * kBasketDay + 9)};
  std::vector<int64_t> baskets;
  for (const ShopEvent& e : FromMovieLens(dataset).events) {
    if (IsPurchase(e)) baskets.push_back(e.basket);
  }
  // 10 and 11 (day 3, user 1), 13 (day 3, user 2), 12 (day 4, user 1).
  ASSERT_THAT(baskets, SizeIs(4));
  EXPECT_EQ(baskets[0], baskets[2]);
  EXPECT_NE(baskets[0], baskets[1]);
  EXPECT_NE(baskets[0], baskets[3]);
  EXPECT_NE(baskets[1], baskets[3]);
}

TEST(FromRetailTest, InvoicesAreBasketsAndGuestsHaveNoShopper) {
  std::istringstream in(
      "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
      "CustomerID,Country\n"
      "536365,85123A,WHITE HANGING HEART,6,2010-12-01 08:26:00,2.55,17850.0,"
      "United Kingdom\n"
      "536366,22633,\"HAND WARMER, UNION JACK\",6,2010-12-01 08:28:00,1.85,,"
      "United Kingdom\n"
      "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,"
      "United Kingdom\n"
      "536367,22632,\"HAND WARMER, RED\",0,2010-12-01 09:45:00,1.85,13047.0,"
      "United Kingdom\n");
  absl::StatusOr<import::RetailImport> read = import::ReadRetailCsv(in, 0);
  ASSERT_TRUE(read.ok()) << read.status();
  const ShopData shop = FromRetail(*read);
  EXPECT_EQ(shop.name, "online_retail");
  // The cancellation and the zero quantity give no events.
  ASSERT_THAT(shop.events, SizeIs(4));
  const ShopEvent& view = shop.events[0];
  const ShopEvent& order = shop.events[1];
  EXPECT_EQ(view.signal, Signal::kView);
  EXPECT_EQ(order.signal, Signal::kPurchase);
  EXPECT_EQ(order.actor, "u:17850");
  EXPECT_TRUE(order.has_shopper);
  EXPECT_EQ(order.basket, 536365);
  EXPECT_EQ(view.basket, 0);
  // The view the import adds a minute before the sale is part of it.
  EXPECT_EQ(view.time, order.time - 60);
  EXPECT_EQ(order.origin, view.time);
  const ShopEvent& guest = shop.events[3];
  EXPECT_EQ(guest.actor, "s:guest-536366");
  EXPECT_FALSE(guest.has_shopper);
  EXPECT_EQ(guest.basket, 536366);
  // The quoted comma did not split the description: four products, the
  // right one bought.
  ASSERT_THAT(shop.products, SizeIs(4));
  std::vector<std::string> names;
  for (const auto& p : shop.products) names.push_back(p.name());
  EXPECT_THAT(names,
              ElementsAre("WHITE HANGING HEART", "HAND WARMER, UNION JACK",
                          "Discount", "HAND WARMER, RED"));
  EXPECT_EQ(guest.product_id, shop.products[1].id());
}

}  // namespace
}  // namespace smartshop::eval
