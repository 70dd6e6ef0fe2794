// The placements' builtin rankings on small hand-made histories where the
// right answer is obvious: a product page's neighbours and fill, a cart as a
// whole, rising products against their own baseline.
#include "services/recommender/builtin/placement_ranking.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/catalog_builders.h"

namespace smartshop::recommender {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

const absl::Time kPlacementDay = absl::FromUnixSeconds(1'700'000'000);

class PlacementRankingTest : public ::testing::Test {
 protected:
  // Products 1..20; category = 1 + (id - 1) / 5, unless `changed` says.
  CatalogSnapshot Catalog(std::vector<smartshop::v1::Product> changed = {}) {
    return CatalogSnapshot(testing::FiveByCategory(std::move(changed)),
                           kPlacementDay);
  }
  void Event(const std::string& user, int64_t product, Signal signal,
             absl::Time at = kPlacementDay) {
    model_.Observe(absl::StrCat("u:", user), product, signal, at);
  }
  // A product of category 1 named `name`.
  static smartshop::v1::Product Named(int64_t id, const std::string& name) {
    auto p = testing::CategorisedProduct(id, 1);
    p.set_name(name);
    return p;
  }
  static std::vector<int64_t> Ids(const std::vector<PlacementItem>& items) {
    std::vector<int64_t> ids;
    for (const auto& item : items) ids.push_back(item.product->id());
    return ids;
  }

  InteractionModel model_;
};

TEST_F(PlacementRankingTest, ProductPageListsWhatIsBoughtWithItFirst) {
  for (const char* user : {"a", "b", "c"}) {
    Event(user, 1, Signal::kPurchase);
    Event(user, 12, Signal::kPurchase, kPlacementDay + absl::Minutes(1));
  }
  for (const char* user : {"d", "e"}) {
    Event(user, 1, Signal::kView);
    Event(user, 17, Signal::kView, kPlacementDay + absl::Minutes(1));
  }
  const CatalogSnapshot catalog = Catalog();
  const auto items =
      RankProductPage({.product_id = 1, .count = 2}, catalog, model_);
  EXPECT_THAT(Ids(items), ElementsAre(12, 17));
  EXPECT_EQ(items[0].reason, "Often bought with Product 1");
  EXPECT_EQ(items[1].reason, "Customers who viewed Product 1 also viewed");
  EXPECT_EQ(items[0].score, 99);
  EXPECT_LT(items[1].score, items[0].score);
  EXPECT_EQ(items[0].source, smartshop::v1::BUILTIN);
}

TEST_F(PlacementRankingTest, ProductPageFillsWithItsCategoryNeverItself) {
  Event("a", 1, Signal::kView);
  Event("a", 12, Signal::kView, kPlacementDay + absl::Minutes(1));
  // Category 1 is products 1..5; 3 is the most popular of them.
  for (const char* user : {"b", "c", "d"}) Event(user, 3, Signal::kView);
  Event("e", 4, Signal::kView);
  const CatalogSnapshot catalog = Catalog({[] {
    auto p = testing::CategorisedProduct(5, 1);
    p.set_is_active(false);
    return p;
  }()});
  const auto items =
      RankProductPage({.product_id = 1, .count = 8}, catalog, model_);
  // 12 co-occurs; then 1's category by popularity; 5 is inactive.
  ASSERT_THAT(Ids(items), ElementsAre(12, 3, 4, 2));
  EXPECT_EQ(items[1].source, smartshop::v1::SIMILAR);
  EXPECT_EQ(items[1].reason, "Similar to Product 1");
  EXPECT_LT(items[1].score, items[0].score);
  EXPECT_LE(items[2].score, items[1].score);
}

TEST_F(PlacementRankingTest, ProductPageFillPrefersItsOwnProductLine) {
  // Nobody has seen product 1 with anything (new to the shop): its fill
  // is its category, the products sharing words of its name first.
  const CatalogSnapshot catalog = Catalog(
      {Named(1, "Red Retrospot Lunch Bag"), Named(2, "White Hanging Heart"),
       Named(3, "Red Retrospot Cake Cases"),
       Named(4, "Jumbo Bag Red Retrospot"), Named(5, "Doormat")});
  for (const char* user : {"a", "b", "c"}) Event(user, 2, Signal::kView);
  Event("d", 5, Signal::kView);
  const auto items =
      RankProductPage({.product_id = 1, .count = 8}, catalog, model_);
  // 4 shares three words (bag, red, retrospot), 3 two; then by popularity.
  EXPECT_THAT(Ids(items), ElementsAre(4, 3, 2, 5));
  EXPECT_EQ(items[0].source, smartshop::v1::SIMILAR);
}

TEST_F(PlacementRankingTest, ProductPageWeighsTheRarerWordsOfItsName) {
  // In category 1, "red" is in three names, "retrospot" in two: sharing
  // "retrospot" says more than sharing "red", however popular. Equally
  // similar products go the least popular first (the popular ones have
  // co-occurrence too); those sharing nothing last.
  const CatalogSnapshot catalog =
      Catalog({Named(1, "Red Retrospot Lunch Bag"),
               Named(2, "Red Heart Doormat"), Named(3, "Spot Retrospot Tin"),
               Named(4, "Red Candle"), Named(5, "Blue Paper")});
  for (const char* user : {"a", "b", "c"}) Event(user, 2, Signal::kView);
  Event("d", 5, Signal::kView);
  const auto items =
      RankProductPage({.product_id = 1, .count = 8}, catalog, model_);
  EXPECT_THAT(Ids(items), ElementsAre(3, 4, 2, 5));
}

TEST_F(PlacementRankingTest, ProductPageKeepsItsLastPlaceForItsProductLine) {
  // Product 1 co-occurs with 6..13, more than a page holds; 4, of its
  // product line, with nothing (new to the shop).
  for (int64_t other = 6; other <= 13; ++other) {
    for (int user = 0; user < other; ++user) {
      const std::string shopper = absl::StrCat(other, "-", user);
      Event(shopper, 1, Signal::kView);
      Event(shopper, other, Signal::kView, kPlacementDay + absl::Minutes(1));
    }
  }
  const CatalogSnapshot catalog =
      Catalog({Named(1, "Red Retrospot Lunch Bag"),
               Named(4, "Jumbo Bag Red Retrospot")});
  const auto items =
      RankProductPage({.product_id = 1, .count = 8}, catalog, model_);
  ASSERT_THAT(Ids(items), ElementsAre(13, 12, 11, 10, 9, 8, 7, 4));
  EXPECT_EQ(items[7].source, smartshop::v1::SIMILAR);
  EXPECT_EQ(items[7].reason, "Similar to Red Retrospot Lunch Bag");
  EXPECT_LT(items[7].score, items[6].score);

  const auto co_occurrence_only =
      RankProductPage({.product_id = 1, .count = 8}, catalog, model_,
                      {.product_line_places = 0});
  EXPECT_THAT(Ids(co_occurrence_only), ElementsAre(13, 12, 11, 10, 9, 8, 7, 6));
}

TEST_F(PlacementRankingTest, ProductPageHonoursExclusionsAndStock) {
  for (const char* user : {"a", "b"}) {
    Event(user, 1, Signal::kView);
    Event(user, 7, Signal::kView, kPlacementDay + absl::Minutes(1));
    Event(user, 8, Signal::kView, kPlacementDay + absl::Minutes(2));
    Event(user, 9, Signal::kView, kPlacementDay + absl::Minutes(3));
  }
  auto sold_out = testing::CategorisedProduct(8, 2);
  sold_out.set_stock(0);
  const CatalogSnapshot catalog = Catalog({sold_out});
  const auto items = RankProductPage(
      {.product_id = 1, .exclude = {9}, .count = 8}, catalog, model_);
  EXPECT_THAT(Ids(items), Contains(7));
  EXPECT_THAT(Ids(items), Not(Contains(8)));
  EXPECT_THAT(Ids(items), Not(Contains(9)));
  EXPECT_THAT(Ids(items), Not(Contains(1)));
}

TEST_F(PlacementRankingTest, TheShoppersOwnProductsShiftTheOrder) {
  // 1's neighbours 7 and 12 equally; 12 also goes with 16, which the
  // shopper viewed.
  for (const char* user : {"a", "b"}) {
    Event(user, 1, Signal::kView);
    Event(user, 7, Signal::kView, kPlacementDay + absl::Minutes(1));
  }
  for (const char* user : {"c", "d"}) {
    Event(user, 1, Signal::kView);
    Event(user, 12, Signal::kView, kPlacementDay + absl::Minutes(1));
  }
  Event("e", 16, Signal::kView);
  Event("e", 12, Signal::kView, kPlacementDay + absl::Minutes(1));
  const CatalogSnapshot catalog = Catalog();
  const auto anonymous =
      RankProductPage({.product_id = 1, .count = 2}, catalog, model_);
  const auto personal = RankProductPage(
      {.product_id = 1,
       .own = {{16, Signal::kView, kPlacementDay + absl::Hours(1)}},
       .count = 2},
      catalog, model_);
  EXPECT_THAT(Ids(personal), ElementsAre(12, 7));
  // Without the shopper, 12 has more shoppers of its own (damped).
  EXPECT_THAT(Ids(anonymous), ElementsAre(7, 12));
}

TEST_F(PlacementRankingTest, CartCompletesTheBasketAsAWhole) {
  // 11 goes with both cart items; 7 only with 1, though more strongly.
  for (const char* user : {"a", "b", "c"}) {
    Event(user, 1, Signal::kCart);
    Event(user, 7, Signal::kCart, kPlacementDay + absl::Minutes(1));
  }
  for (const char* user : {"d", "e"}) {
    Event(user, 1, Signal::kCart);
    Event(user, 11, Signal::kCart, kPlacementDay + absl::Minutes(1));
  }
  for (const char* user : {"f", "g"}) {
    Event(user, 16, Signal::kCart);
    Event(user, 11, Signal::kCart, kPlacementDay + absl::Minutes(1));
  }
  const CatalogSnapshot catalog = Catalog();
  const auto items = RankCart({.cart = {1, 16}, .count = 8}, catalog, model_);
  ASSERT_THAT(Ids(items), ElementsAre(11, 7));
  EXPECT_THAT(items[0].reason, ::testing::StartsWith("Goes well with"));
  EXPECT_THAT(Ids(RankCart({.cart = {1, 7}, .count = 8}, catalog, model_)),
              Not(Contains(7)));
}

TEST_F(PlacementRankingTest, ACartsNewestItemsAloneAddCandidates) {
  for (const char* user : {"a", "b"}) {
    Event(user, 1, Signal::kCart);
    Event(user, 7, Signal::kCart, kPlacementDay + absl::Minutes(1));
    Event(user, 16, Signal::kCart, kPlacementDay + absl::Minutes(2));
  }
  Event("c", 2, Signal::kCart);
  Event("c", 12, Signal::kCart, kPlacementDay + absl::Minutes(1));
  const CatalogSnapshot catalog = Catalog();
  PlacementOptions one;
  one.max_cart_sources = 1;
  // Only 2, the last given, adds candidates; 1 stays out of the answer.
  EXPECT_THAT(Ids(RankCart({.cart = {1, 2}, .count = 8}, catalog, model_, one)),
              ElementsAre(12));
}

TEST_F(PlacementRankingTest, CartKeepsCategoriesVaried) {
  // Products 6..10 are category 2, 11 is category 3.
  for (const char* user : {"a", "b", "c"}) {
    Event(user, 1, Signal::kPurchase);
    for (int64_t id = 6; id <= 10; ++id) {
      Event(user, id, Signal::kPurchase, kPlacementDay + absl::Minutes(id));
    }
  }
  Event("d", 1, Signal::kPurchase);
  Event("d", 11, Signal::kPurchase, kPlacementDay + absl::Minutes(1));
  const CatalogSnapshot catalog = Catalog();
  const auto items = RankCart({.cart = {1}, .count = 5}, catalog, model_);
  // At most 4 of category 2 while 11 (category 3) is there.
  ASSERT_EQ(items.size(), 5u);
  EXPECT_EQ(items[4].product->id(), 11);
  EXPECT_EQ(items[0].reason, "Often bought with Product 1");
}

TEST_F(PlacementRankingTest, TrendingIsRisingAgainstItsOwnBaselineNotPopular) {
  const absl::Time now = kPlacementDay + absl::Hours(24 * 30);
  // Product 2: steady, 10 shoppers a day for 30 days (popular, flat).
  for (int day = 0; day < 30; ++day) {
    for (int i = 0; i < 10; ++i) {
      Event(absl::StrCat("steady", day, "_", i), 2, Signal::kView,
            kPlacementDay + absl::Hours(24 * day));
    }
  }
  // Product 9: quiet, then 8 shoppers in the last day.
  Event("old", 9, Signal::kView, kPlacementDay);
  for (int i = 0; i < 8; ++i) {
    Event(absl::StrCat("new", i), 9, Signal::kView, now - absl::Hours(i));
  }
  const CatalogSnapshot catalog = Catalog();
  const auto items = RankTrending({.count = 8}, catalog, model_);
  ASSERT_THAT(Ids(items), ElementsAre(9));
  EXPECT_EQ(items[0].source, smartshop::v1::TRENDING);
  EXPECT_EQ(items[0].reason, "Trending in Category 2");
  // Per category: none rising in category 1.
  EXPECT_THAT(RankTrending({.category_id = 1, .count = 8}, catalog, model_),
              IsEmpty());
  // Against eight weeks, both rise: 9 this day, and 2, only a month old.
  EXPECT_THAT(Ids(RankTrending({.trend_window = TrendWindow::kWeek, .count = 8},
                               catalog, model_)),
              ::testing::UnorderedElementsAre(2, 9));
}

TEST_F(PlacementRankingTest, TrendingNeedsEventsInTheWindow) {
  const CatalogSnapshot catalog = Catalog();
  EXPECT_THAT(RankTrending({.count = 8}, catalog, model_), IsEmpty());
  Event("a", 3, Signal::kView);
  Event("b", 4, Signal::kView, kPlacementDay + absl::Hours(24 * 10));
  // 3's only event is ten days old: not trending today.
  EXPECT_THAT(Ids(RankTrending({.count = 8}, catalog, model_)), ElementsAre(4));
}

}  // namespace
}  // namespace smartshop::recommender
