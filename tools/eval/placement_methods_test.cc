#include "tools/eval/placement_methods.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/eval/evaluation.h"
#include "tools/eval/metrics.h"
#include "tools/eval/shop_event_builder.h"

namespace smartshop::eval {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

// Each purchase its own basket.
ShopEvent Sale(const std::string& actor, int64_t product, int64_t time) {
  return Buy(actor, product, time, /*basket=*/time);
}

std::vector<smartshop::v1::Product> ShopProducts() {
  std::vector<smartshop::v1::Product> products;
  for (int64_t id = 1; id <= 9; ++id) {
    smartshop::v1::Product& p = products.emplace_back();
    p.set_id(id);
    p.set_name("product " + std::to_string(id));
    p.set_category_id(1);
    p.set_is_active(true);
  }
  return products;
}

// Product 1 is bought with 2 by three shoppers and with 3 by one; 3 is
// bought by everyone; 9 by one shopper alone.
std::vector<ShopEvent> Events() {
  return {Sale("u:1", 1, 1),  Sale("u:1", 2, 2),  Sale("u:2", 1, 3),
          Sale("u:2", 2, 4),  Sale("u:3", 1, 5),  Sale("u:3", 2, 6),
          Sale("u:4", 1, 7),  Sale("u:4", 3, 8),  Sale("u:5", 3, 9),
          Sale("u:6", 3, 10), Sale("u:7", 3, 11), Sale("u:8", 3, 12),
          Sale("u:9", 9, 13), Sale("u:9", 9, 14)};
}

class PlacementMethodsTest : public ::testing::Test {
 protected:
  PlacementMethodsTest() : catalog_(ShopProducts(), absl::UnixEpoch()) {
    for (const ShopEvent& e : Events()) history_.Observe(e);
  }

  std::vector<int64_t> Rank(
      std::unique_ptr<PlacementMethod> (*make)(const PlacementContext&),
      const std::vector<int64_t>& given, int count = 3) {
    std::unique_ptr<PlacementMethod> method = make(context_);
    for (const ShopEvent& e : Events()) method->Observe(e);
    return method->Rank(Placement::kProductPage, given, count);
  }

  const recommender::CatalogSnapshot catalog_;
  PurchaseHistory history_;
  const PlacementContext context_{.catalog = catalog_, .history = history_};
};

TEST_F(PlacementMethodsTest, HistoryCountsPurchasesAndDistinctShoppers) {
  EXPECT_EQ(history_.Purchases(9), 2);
  EXPECT_EQ(history_.Shoppers(9), 1);
  EXPECT_EQ(history_.Shoppers(3), 5);
  EXPECT_EQ(history_.Shoppers(42), 0);
}

TEST_F(PlacementMethodsTest, PopularityIsTheMostPurchasedWithoutTheGiven) {
  // 3 (5 purchases), 1 (4), then 2 and 9 (3 and 2).
  EXPECT_THAT(Rank(&MakePopularity, {1}), ElementsAre(3, 2, 9));
}

TEST_F(PlacementMethodsTest, CoPurchaseRanksByShoppersWhoBoughtBoth) {
  EXPECT_THAT(Rank(&MakeCoPurchase, {1}), ElementsAre(2, 3));
}

TEST_F(PlacementMethodsTest, ItemKnnDividesByBothProductsShoppers) {
  // cos(1, 2) = 3 / sqrt(4 * 3); cos(1, 3) = 1 / sqrt(4 * 5).
  EXPECT_THAT(Rank(&MakeItemKnn, {1}), ElementsAre(2, 3));
  // From 3: cos(3, 1) = 1 / sqrt(5 * 4) only.
  EXPECT_THAT(Rank(&MakeItemKnn, {3}), ElementsAre(1));
}

TEST_F(PlacementMethodsTest, CartScoresSumOverTheCart) {
  std::unique_ptr<PlacementMethod> method = MakeCoPurchase(context_);
  // 1 and 3 in the cart: 2 (with 1 three times) beats 9 (never); neither
  // cart product is listed.
  EXPECT_THAT(method->Rank(Placement::kCart, {1, 3}, 8), ElementsAre(2));
}

TEST_F(PlacementMethodsTest, BuiltinNeverListsTheGivenProduct) {
  const std::vector<int64_t> list = Rank(&MakePlacementBuiltin, {1}, 8);
  EXPECT_THAT(list, Not(Contains(1)));
  ASSERT_FALSE(list.empty());
  EXPECT_EQ(list.front(), 2);
}

TEST(RunPlacementTest, ScoresEveryMethodAndFillsListsFromPopularity) {
  ShopData shop{.name = "test", .products = ShopProducts()};
  shop.events = Events();
  // Held out (from the cut, time 12 on): u:9 buys 1 after 9.
  shop.events.push_back(Sale("u:9", 1, 15));
  const PlacementResult result = RunPlacement(Placement::kProductPage, shop);
  EXPECT_EQ(result.questions, 1);
  ASSERT_EQ(result.methods.size(), AllPlacementMethods().size());
  const MethodResult* popularity = result.Find("popularity");
  ASSERT_NE(popularity, nullptr);
  // 3 then 1 (most purchased): a hit at position 2.
  EXPECT_DOUBLE_EQ(popularity->scores.hit_rate, 1);
  EXPECT_NEAR(popularity->scores.ndcg, 1 / std::log2(3.0), 1e-9);
  // Nothing was bought with 9: co-purchase's list is popularity's.
  EXPECT_DOUBLE_EQ(result.Find("co_purchase")->scores.ndcg,
                   popularity->scores.ndcg);
}

}  // namespace
}  // namespace smartshop::eval
