// Merchandising rules end to end: upserted through a real tracking
// service's CatalogService (Postgres), loaded by the recommender's next
// catalog refresh, applied to GetRecommendations, cached answers included.
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/integration/recommender_harness.h"
#include "tests/testing/eventually.h"
#include "tests/testing/recommendation_views.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Recommendations;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

class MerchandisingIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override { h_.SeedCatalog(); }

  static smartshop::v1::UpsertMerchandisingRulesRequest Rules(
      const std::string& text) {
    smartshop::v1::UpsertMerchandisingRulesRequest request;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &request));
    return request;
  }
  void UpsertRules(const std::string& text) { UpsertRules(Rules(text)); }
  void UpsertRules(
      const smartshop::v1::UpsertMerchandisingRulesRequest& request) {
    smartshop::v1::UpsertMerchandisingRulesResponse response;
    grpc::Status status = h_.tracking().catalog().UpsertMerchandisingRules(
        TrackingHarness::Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Top sellers are 12, 11, ..., by units_sold = 10 * id.
  RecommenderHarness h_{{.use_model = false}};
};

TEST_F(MerchandisingIntegrationTest, APinShowsAfterTheNextRefreshCachedToo) {
  const Recommendations before = h_.Get("");
  EXPECT_THAT(ProductIds(before), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));

  UpsertRules(R"(
    rules { id: "summer-pin" product_id: 2 action: MERCHANDISING_PIN
            pin_position: 3 }
    rules { id: "no-12" product_id: 12 action: MERCHANDISING_EXCLUDE
            placements: PLACEMENT_HOME }
    rules { id: "cart-only" product_id: 11 action: MERCHANDISING_EXCLUDE
            placements: PLACEMENT_CART })");
  // Not before the recommender's next catalog refresh.
  EXPECT_THAT(ProductIds(h_.Get("")), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  ASSERT_TRUE(h_.catalog().Refresh().ok());

  const Recommendations after = h_.Get("");
  EXPECT_TRUE(after.cache_hit());  // the cached answer, ruled as served
  EXPECT_THAT(ProductIds(after), ElementsAre(11, 10, 2, 9, 8, 7, 6, 5));
  const auto& pinned = after.items(2);
  EXPECT_EQ(pinned.source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(pinned.reason(), "Promoted");
  EXPECT_EQ(pinned.merchandising_rule_id(), "summer-pin");
  EXPECT_EQ(pinned.product().name(), "Product 2");
  EXPECT_EQ(after.items(1).merchandising_rule_id(), "");

  // A caller's exclusion beats the pin; the rest still holds.
  smartshop::v1::GetRecommendationsRequest excluding;
  excluding.add_exclude_product_ids(2);
  EXPECT_THAT(ProductIds(h_.Get(excluding)), Not(Contains(2)));

  // Deleted: gone at the next refresh.
  smartshop::v1::DeleteMerchandisingRulesRequest del;
  del.add_ids("summer-pin");
  del.add_ids("no-12");
  smartshop::v1::DeleteMerchandisingRulesResponse deleted;
  ASSERT_TRUE(h_.tracking()
                  .catalog()
                  .DeleteMerchandisingRules(TrackingHarness::Context().get(),
                                            del, &deleted)
                  .ok());
  EXPECT_EQ(deleted.deleted(), 2);
  ASSERT_TRUE(h_.catalog().Refresh().ok());
  EXPECT_THAT(ProductIds(h_.Get("")), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
}

TEST_F(MerchandisingIntegrationTest, ABoostLiftsAProductIntoThePage) {
  UpsertRules(R"(
    rules { id: "lift-3" product_id: 3 action: MERCHANDISING_BOOST
            multiplier: 1.5 })");
  ASSERT_TRUE(h_.catalog().Refresh().ok());
  smartshop::v1::GetRecommendationsRequest request;
  request.set_limit(4);
  const Recommendations r = h_.Get(request);
  // Product 3 was tenth of the computed answer; every score is 85.
  ASSERT_EQ(r.items_size(), 4);
  EXPECT_EQ(r.items(0).product().id(), 3);
  EXPECT_EQ(r.items(0).relevance_score(), 100);
  EXPECT_EQ(r.items(0).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(r.items(0).merchandising_rule_id(), "lift-3");
}

// A category's pin keeps a place for the category: its first product from
// that place on moves up, or, when the answer holds none (a cached answer
// older than the product), its best seller comes from the catalog.
TEST_F(MerchandisingIntegrationTest, ACategoryPinKeepsAPlaceForItsCategory) {
  EXPECT_THAT(ProductIds(h_.Get("")), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
  smartshop::v1::Product novelty = SeededProduct(13);
  novelty.set_category_id(3);
  novelty.set_units_sold(0);
  h_.UpsertProducts({novelty});
  UpsertRules(R"(
    rules { id: "odd-first" category_id: 1 action: MERCHANDISING_PIN
            pin_position: 1 placements: PLACEMENT_HOME }
    rules { id: "new-line" category_id: 3 action: MERCHANDISING_PIN
            pin_position: 4 })");
  ASSERT_TRUE(h_.catalog().Refresh().ok());

  const Recommendations home = h_.Get("");
  EXPECT_TRUE(home.cache_hit());  // computed before 13 was in the catalog
  EXPECT_THAT(ProductIds(home), ElementsAre(11, 12, 10, 13, 9, 8, 7, 6));
  EXPECT_EQ(home.items(0).merchandising_rule_id(), "odd-first");
  EXPECT_EQ(home.items(3).merchandising_rule_id(), "new-line");
  EXPECT_EQ(home.items(3).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(home.items(3).reason(), "Promoted");
  EXPECT_EQ(home.items(3).product().name(), "Product 13");

  // The product page has only the second rule: 13, last of its top
  // sellers, comes up to the fourth place.
  smartshop::v1::GetRecommendationsRequest page;
  page.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  page.set_product_id(1);
  EXPECT_THAT(ProductIds(h_.Get(page)),
              ElementsAre(12, 11, 10, 13, 9, 8, 7, 6));
  // Its product page never shows 13 itself; category 3 has no other.
  page.set_product_id(13);
  EXPECT_THAT(ProductIds(h_.Get(page)), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
}

// Every placement applies the rules after ranking, each rule only where
// and when it holds. Without a builtin model the product page and the cart
// answer top sellers (12, 11, ...), which makes the rules' effect exact.
TEST_F(MerchandisingIntegrationTest,
       RulesHoldOnProductPagesAndCartsWhenInForce) {
  smartshop::v1::UpsertMerchandisingRulesRequest rules = Rules(R"(
    rules { id: "cart-only" product_id: 11 action: MERCHANDISING_EXCLUDE
            placements: PLACEMENT_CART }
    rules { id: "garden-down" category_id: 2 action: MERCHANDISING_BURY
            placements: PLACEMENT_PRODUCT }
    rules { id: "ended-pin" product_id: 2 action: MERCHANDISING_PIN
            pin_position: 1 }
    rules { id: "later-boost" product_id: 3 action: MERCHANDISING_BOOST
            multiplier: 100 })");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  rules.mutable_rules(2)->mutable_starts_at()->set_seconds(now - 7200);
  rules.mutable_rules(2)->mutable_ends_at()->set_seconds(now - 3600);
  rules.mutable_rules(3)->mutable_starts_at()->set_seconds(now + 3600);
  UpsertRules(rules);
  ASSERT_TRUE(h_.catalog().Refresh().ok());

  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  cart.add_cart_product_ids(5);
  const Recommendations in_cart = h_.Get(cart);
  // 11 excluded in the cart only; the pin has ended, the boost not begun;
  // by the cart's diversity rule, four of each category: 1 takes the place
  // 11 left, not 4, a fifth of category 2.
  EXPECT_THAT(ProductIds(in_cart), ElementsAre(12, 10, 9, 8, 7, 6, 3, 1));

  smartshop::v1::GetRecommendationsRequest page;
  page.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  page.set_product_id(1);
  const Recommendations product_page = h_.Get(page);
  // Category 2 (even ids) after category 1 on the product page only.
  EXPECT_THAT(ProductIds(product_page), ElementsAre(11, 9, 7, 5, 3, 12, 10, 8));
  EXPECT_EQ(product_page.items(5).merchandising_rule_id(), "garden-down");
  EXPECT_EQ(product_page.items(0).merchandising_rule_id(), "");

  EXPECT_THAT(ProductIds(h_.Get("")), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
}

// A pin in the cart holds its place and counts toward its category's share
// of the cart's diversity rule (4 per category): the category's lowest
// other product goes after the rest.
TEST_F(MerchandisingIntegrationTest, ACartPinKeepsTheCartsCategoriesVaried) {
  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  cart.add_cart_product_ids(5);
  // Top sellers, four of category 2 (even ids).
  EXPECT_THAT(ProductIds(h_.Get(cart)), ElementsAre(12, 11, 10, 9, 8, 7, 6, 3));
  UpsertRules(R"(
    rules { id: "two-second" product_id: 2 action: MERCHANDISING_PIN
            pin_position: 2 placements: PLACEMENT_CART })");
  ASSERT_TRUE(h_.catalog().Refresh().ok());

  const Recommendations pinned = h_.Get(cart);
  EXPECT_TRUE(pinned.cache_hit());
  // 2 second; 6, now a fifth of category 2, is no longer among the 8.
  EXPECT_THAT(ProductIds(pinned), ElementsAre(12, 2, 11, 10, 9, 8, 7, 3));
  EXPECT_EQ(pinned.items(1).merchandising_rule_id(), "two-second");
  for (int i = 1; i < pinned.items_size(); ++i) {
    EXPECT_LE(pinned.items(i).relevance_score(),
              pinned.items(i - 1).relevance_score());
  }
  // Elsewhere the rule does not hold.
  EXPECT_THAT(ProductIds(h_.Get("")), ElementsAre(12, 11, 10, 9, 8, 7, 6, 5));
}

// Slow movers on the live builtin model: recent sales are its decayed
// purchases, learnt from the tracking service's event log.
TEST(SlowMoverIntegrationTest, PromotesInStockProductsNobodyBuysLately) {
  RecommenderHarness live{{.use_model = false, .builtin = true}};
  live.SeedCatalog();
  // 3 and 4 are stocked; 4 sells, 3 does not; 5 sells nothing but its
  // stock is not tracked.
  std::vector<smartshop::v1::Product> stocked;
  for (int64_t id : {3, 4}) {
    stocked.push_back(SeededProduct(id));
    stocked.back().set_stock(50);
  }
  live.UpsertProducts(stocked);
  for (const char* user : {"a", "b", "c"}) {
    live.Track(smartshop::v1::ORDER_PLACED, user, 4);
  }
  ASSERT_TRUE(live.feed()->WaitUntilCaughtUp(absl::Now() + absl::Seconds(10)));
  ASSERT_TRUE(Eventually([&] { return live.model()->events_observed() >= 3; },
                         absl::Seconds(5)));
  smartshop::v1::UpsertMerchandisingRulesRequest rules;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"(rules { id: "clear-stock" all_products: true
                 action: MERCHANDISING_PROMOTE_SLOW_MOVING multiplier: 100
                 recent_sales_below: 1 })",
      &rules));
  smartshop::v1::UpsertMerchandisingRulesResponse written;
  ASSERT_TRUE(live.tracking()
                  .catalog()
                  .UpsertMerchandisingRules(TrackingHarness::Context().get(),
                                            rules, &written)
                  .ok());
  ASSERT_TRUE(live.catalog().Refresh().ok());

  const Recommendations r = live.Get("");
  ASSERT_GT(r.items_size(), 0);
  EXPECT_EQ(r.items(0).product().id(), 3);
  EXPECT_EQ(r.items(0).merchandising_rule_id(), "clear-stock");
  EXPECT_EQ(r.items(0).reason(), "Promoted");
  for (const auto& item : r.items()) {
    // 4 sold three lately; 5's stock is not tracked: neither is promoted.
    if (item.product().id() == 4 || item.product().id() == 5) {
      EXPECT_EQ(item.merchandising_rule_id(), "") << item.product().id();
    }
  }
}

}  // namespace
}  // namespace smartshop::testing
