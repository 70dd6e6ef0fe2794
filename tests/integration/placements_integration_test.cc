// The placements end to end on real Postgres and Redis, over gRPC: the
// product page and the cart from the live model, cached in Redis under
// their own keys; recently viewed following the shopper's views; trending.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/recommender_harness.h"
#include "tests/testing/eventually.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/recommendation_views.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::GetRecommendationsRequest;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

class PlacementsIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h_.SeedCatalog();
    ASSERT_TRUE(h_.feed()->WaitUntilCaughtUp(absl::Now() + absl::Seconds(10)));
  }
  void AwaitLearnt(int64_t count) {
    ASSERT_TRUE(
        Eventually([&] { return h_.model()->events_observed() >= count; },
                   absl::Seconds(10)))
        << "model learnt " << h_.model()->events_observed() << " of " << count;
  }
  // Three shoppers bought 1 then 3; two viewed 1 then 6.
  void SeedHistory() {
    for (const char* user : {"a", "b", "c"}) {
      h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, user, "", 1));
      h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, user, "", 3));
    }
    for (const char* user : {"d", "e"}) {
      h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 1));
      h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 6));
    }
    AwaitLearnt(10);
  }
  std::string PlacementKey(absl::string_view rest) const {
    return absl::StrCat(h_.key_prefix(), "placement_", rest);
  }
  // The shared entries held for a product page or a basket ("product:1"),
  // one per version of their inputs.
  std::vector<std::string> SharedKeys(absl::string_view placement) const {
    return RedisKeys(h_.redis_url(),
                     PlacementKey(absl::StrCat(placement, "@*")));
  }
  // The TTL of the one entry held, -2 when there is none, -3 for several.
  int64_t SharedPttl(absl::string_view placement) const {
    const std::vector<std::string> keys = SharedKeys(placement);
    if (keys.empty()) return -2;
    return keys.size() == 1 ? RedisPttl(h_.redis_url(), keys[0]) : -3;
  }

  static RecommenderHarnessOptions Options() {
    RecommenderHarnessOptions options;
    options.use_model = false;
    options.builtin = true;
    return options;
  }

  RecommenderHarness h_{Options()};
};

TEST_F(PlacementsIntegrationTest, ProductPageAndCartComeFromTheLiveModel) {
  SeedHistory();
  GetRecommendationsRequest page;
  page.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  page.set_product_id(1);
  const smartshop::v1::Recommendations r = h_.Get(page);
  EXPECT_EQ(r.placement(), smartshop::v1::PLACEMENT_PRODUCT);
  ASSERT_EQ(r.items_size(), 8);
  EXPECT_EQ(r.items(0).product().id(), 3);
  EXPECT_EQ(r.items(0).reason(), "Often bought with Product 1");
  EXPECT_EQ(r.items(1).product().id(), 6);
  EXPECT_THAT(ProductIds(r), Not(Contains(1)));
  const int64_t ttl = SharedPttl("product:1");
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 600'000);
  EXPECT_TRUE(h_.Get(page).cache_hit());

  GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  cart.add_cart_product_ids(3);
  cart.add_cart_product_ids(1);
  const smartshop::v1::Recommendations basket = h_.Get(cart);
  ASSERT_EQ(basket.items_size(), 8);
  EXPECT_EQ(basket.items(0).product().id(), 6);
  EXPECT_THAT(ProductIds(basket), Not(Contains(1)));
  EXPECT_THAT(ProductIds(basket), Not(Contains(3)));
  EXPECT_GT(SharedPttl("cart:1,3"), 0);

  // The home page's shared answer is another entry: dropping it leaves the
  // placements' answers; dropping everything takes them too.
  smartshop::v1::InvalidateRecommendationsRequest drop;
  smartshop::v1::InvalidateRecommendationsResponse dropped;
  drop.set_anonymous(true);
  ASSERT_TRUE(h_.recommender()
                  .InvalidateRecommendations(TrackingHarness::Context().get(),
                                             drop, &dropped)
                  .ok());
  EXPECT_GT(SharedPttl("product:1"), 0);
  drop.set_all(true);
  ASSERT_TRUE(h_.recommender()
                  .InvalidateRecommendations(TrackingHarness::Context().get(),
                                             drop, &dropped)
                  .ok());
  EXPECT_GE(dropped.deleted(), 2);
  EXPECT_EQ(SharedPttl("product:1"), -2);
  EXPECT_EQ(SharedPttl("cart:1,3"), -2);
  EXPECT_FALSE(h_.Get(page).cache_hit());
}

TEST_F(PlacementsIntegrationTest,
       AGuestSessionsPagesAreItsOwnAndRuledAsServed) {
  SeedHistory();
  h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "", "guest-1", 6));
  h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "", "guest-1", 1));
  AwaitLearnt(12);
  GetRecommendationsRequest recent;
  recent.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  recent.set_session_key("guest-1");
  EXPECT_THAT(ProductIds(h_.Get(recent)), ElementsAre(1, 6));

  // The session's own product page: computed for it, never the shared
  // answer, and what the page already shows is left out.
  GetRecommendationsRequest page;
  page.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  page.set_product_id(1);
  page.set_session_key("guest-1");
  page.add_exclude_product_ids(3);
  const smartshop::v1::Recommendations own = h_.Get(page);
  EXPECT_EQ(own.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  ASSERT_EQ(own.items_size(), 8);
  EXPECT_EQ(own.items(0).product().id(), 6);
  EXPECT_THAT(ProductIds(own), Not(Contains(1)));
  EXPECT_THAT(ProductIds(own), Not(Contains(3)));
  EXPECT_FALSE(h_.Get(page).cache_hit());
  EXPECT_EQ(SharedPttl("product:1"), -2);

  // A product of another category sold out after the shared page was
  // cached: the page stays cached and leaves it out as served.
  GetRecommendationsRequest shared;
  shared.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  shared.set_product_id(1);
  ASSERT_THAT(ProductIds(h_.Get(shared)), Contains(6));
  smartshop::v1::Product sold_out = SeededProduct(6);
  sold_out.set_stock(0);
  h_.UpsertProducts({sold_out});
  ASSERT_TRUE(h_.catalog().Refresh().ok());
  const smartshop::v1::Recommendations served = h_.Get(shared);
  EXPECT_TRUE(served.cache_hit());
  EXPECT_EQ(served.items_size(), 8);
  EXPECT_THAT(ProductIds(served), Not(Contains(6)));
}

TEST_F(PlacementsIntegrationTest,
       SharedPagesFollowTheEventsAndCatalogThatChangeThem) {
  SeedHistory();
  GetRecommendationsRequest page;
  page.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  page.set_product_id(1);
  ASSERT_EQ(h_.Get(page).items(0).product().id(), 3);
  ASSERT_TRUE(h_.Get(page).cache_hit());

  // Four shoppers buy 1 with 8, through tracking and the live feed: the
  // next anonymous visitor sees it, from a new entry.
  for (const char* user : {"f", "g", "h", "i"}) {
    h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, user, "", 1));
    h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, user, "", 8));
  }
  AwaitLearnt(18);
  smartshop::v1::Recommendations moved = h_.Get(page);
  EXPECT_FALSE(moved.cache_hit());
  EXPECT_EQ(moved.items(0).product().id(), 8);
  EXPECT_EQ(moved.items(0).reason(), "Often bought with Product 1");
  EXPECT_EQ(SharedKeys("product:1").size(), 2u);  // the old one by its TTL
  EXPECT_TRUE(h_.Get(page).cache_hit());

  // A product of its own category sold out: computed again, without it
  // (and its place filled).
  smartshop::v1::Product sold_out = SeededProduct(3);
  sold_out.set_stock(0);
  h_.UpsertProducts({sold_out});
  ASSERT_TRUE(h_.catalog().Refresh().ok());
  moved = h_.Get(page);
  EXPECT_FALSE(moved.cache_hit());
  EXPECT_EQ(moved.items_size(), 8);
  EXPECT_THAT(ProductIds(moved), Not(Contains(3)));
  EXPECT_EQ(SharedKeys("product:1").size(), 3u);
}

TEST_F(PlacementsIntegrationTest, RecentlyViewedFollowsTheShoppersViews) {
  for (int64_t product : {2, 4, 2}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u", "", product));
  }
  h_.Track(ShopperEvent(smartshop::v1::ORDER_PLACED, "u", "", 4));
  AwaitLearnt(4);
  GetRecommendationsRequest recent;
  recent.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  recent.set_user_id("u");
  smartshop::v1::Recommendations viewed = h_.Get(recent);
  EXPECT_EQ(viewed.strategy(), smartshop::v1::STRATEGY_RECENTLY_VIEWED);
  EXPECT_THAT(ProductIds(viewed), ElementsAre(2, 4));
  recent.set_exclude_purchased(true);
  EXPECT_THAT(ProductIds(h_.Get(recent)), ElementsAre(2));

  // A new view shows on the shopper's next request (never cached).
  h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, "u", "", 8));
  recent.set_exclude_purchased(false);
  viewed = h_.Get(recent);
  EXPECT_FALSE(viewed.cache_hit());
  EXPECT_THAT(ProductIds(viewed), ElementsAre(8, 2, 4));
}

TEST_F(PlacementsIntegrationTest, TrendingShowsWhatRisesPerCategory) {
  // Product 5 (category 1, odd) now has five shoppers; nothing else moves.
  for (const char* user : {"a", "b", "c", "d", "e"}) {
    h_.Track(ShopperEvent(smartshop::v1::VIEW_PRODUCT, user, "", 5));
  }
  AwaitLearnt(5);
  GetRecommendationsRequest trending;
  trending.set_placement(smartshop::v1::PLACEMENT_TRENDING);
  trending.set_category_id(1);
  const smartshop::v1::Recommendations r = h_.Get(trending);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_TRENDING);
  ASSERT_EQ(r.items_size(), 6);  // the six products of category 1
  EXPECT_EQ(r.items(0).product().id(), 5);
  EXPECT_EQ(r.items(0).source(), smartshop::v1::TRENDING);
  EXPECT_EQ(r.items(0).reason(), "Trending in Kitchen");
  for (const auto& item : r.items()) {
    EXPECT_EQ(item.product().category_id(), 1);
  }
  EXPECT_GT(RedisPttl(h_.redis_url(), PlacementKey("trending:0:1")), 0);
}

}  // namespace
}  // namespace smartshop::testing
