#include "services/recommender/answer_builder.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/top_sellers.h"
#include "tests/testing/recommendation_views.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::AnswerOf;
using ::smartshop::testing::ProductIds;

using smartshop::v1::RecommendationItem;

const absl::Time kBuildNow = absl::FromUnixSeconds(1'800'000'000);

// Products 1..20, product i sold i units: top sellers are 20, 19, ...;
// odd ids in category 1, even ids in category 2.
CatalogSnapshot BuilderCatalog(
    std::vector<smartshop::v1::MerchandisingRule> rules = {}) {
  std::vector<smartshop::v1::Product> products(20);
  for (int i = 0; i < 20; ++i) {
    products[i].set_id(i + 1);
    products[i].set_category_id(i % 2 + 1);
    products[i].set_is_active(true);
    products[i].set_units_sold(i + 1);
  }
  return CatalogSnapshot(std::move(products), kBuildNow, std::move(rules));
}

smartshop::v1::MerchandisingRule RuleFor(
    smartshop::v1::MerchandisingAction action, int64_t product,
    int64_t category) {
  smartshop::v1::MerchandisingRule rule;
  rule.set_id("r");
  if (product != 0) rule.set_product_id(product);
  if (category != 0) rule.set_category_id(category);
  rule.set_action(action);
  if (action == smartshop::v1::MERCHANDISING_BOOST) rule.set_multiplier(2);
  return rule;
}

class AnswerBuilderTest : public ::testing::Test {
 protected:
  SimulatedClock clock_{kBuildNow};
  const CatalogSnapshot catalog_ = BuilderCatalog();
  EngineCounters counters_{nullptr};
  const AnswerBuilder builder_{&counters_, clock_};
};

TEST_F(AnswerBuilderTest, ARankingLeadsAndTopSellersFillUpTo16) {
  Ranking ranking;
  ranking.strategy = smartshop::v1::STRATEGY_MODEL;
  ranking.source = smartshop::v1::MODEL;
  ranking.items = {{catalog_.Find(3), 97, "Viewed"},
                   {catalog_.Find(5), 91, "Bought with 3"}};
  const absl::flat_hash_set<int64_t> exclude = {20};
  auto answer =
      builder_.FromRanking(ranking, catalog_, {.exclude = exclude}, "why not");
  EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_MODEL);
  EXPECT_EQ(answer.fallback_reason(), "why not");
  EXPECT_EQ(answer.generated_at().seconds(), absl::ToUnixSeconds(kBuildNow));
  ASSERT_EQ(answer.items_size(), kComputedItems);
  EXPECT_EQ(answer.items(0).reason(), "Viewed");
  EXPECT_EQ(answer.items(1).source(), smartshop::v1::MODEL);
  // 20 is excluded; the gap fill starts at the next top seller.
  EXPECT_EQ(answer.items(2).product().id(), 19);
  EXPECT_EQ(answer.items(2).source(), smartshop::v1::GAP_FILL);
  EXPECT_LE(answer.items(2).relevance_score(), kGapFillScore);
}

TEST_F(AnswerBuilderTest, ItemsKeepTheirOwnSourceAndRankingsMayRefuseFill) {
  Ranking ranking;
  ranking.strategy = smartshop::v1::STRATEGY_RECENTLY_VIEWED;
  ranking.source = smartshop::v1::RECENTLY_VIEWED;
  ranking.fill = false;
  ranking.items = {{catalog_.Find(3), 99, "Viewed"},
                   {catalog_.Find(5), 70, "Similar", smartshop::v1::SIMILAR}};
  const absl::flat_hash_set<int64_t> none;
  auto answer = builder_.FromRanking(ranking, catalog_, {.exclude = none}, "");
  ASSERT_EQ(answer.items_size(), 2);
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::RECENTLY_VIEWED);
  EXPECT_EQ(answer.items(1).source(), smartshop::v1::SIMILAR);
}

TEST_F(AnswerBuilderTest, FinishLeavesOutThePagesProductsAndSaysThePlacement) {
  smartshop::v1::Recommendations answer;
  for (int64_t id : {3, 5, 7, 9}) {
    auto* item = answer.add_items();
    item->mutable_product()->set_id(id);
    item->set_relevance_score(90);
  }
  smartshop::v1::GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  request.add_cart_product_ids(5);
  request.add_cart_product_ids(9);
  request.set_limit(3);
  AnswerBuilder::Finish(request, &catalog_, answer, kBuildNow);
  EXPECT_EQ(answer.placement(), smartshop::v1::PLACEMENT_CART);
  ASSERT_EQ(answer.items_size(), 3);
  EXPECT_EQ(answer.items(0).product().id(), 3);
  EXPECT_EQ(answer.items(1).product().id(), 7);
  // Topped up with a top seller that is not in the cart.
  EXPECT_EQ(answer.items(2).source(), smartshop::v1::GAP_FILL);

  request.clear_cart_product_ids();
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_product_id(3);
  request.set_limit(8);
  AnswerBuilder::Finish(request, &catalog_, answer, kBuildNow);
  EXPECT_NE(answer.items(0).product().id(), 3);

  // Recently viewed is never topped up.
  smartshop::v1::Recommendations viewed;
  viewed.add_items()->mutable_product()->set_id(7);
  request.clear_product_id();
  request.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  AnswerBuilder::Finish(request, &catalog_, viewed, kBuildNow);
  EXPECT_EQ(viewed.items_size(), 1);
}

TEST_F(AnswerBuilderTest, NoDataIsTopSellersScored85) {
  auto answer = builder_.NoData(catalog_);
  EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_NO_DATA);
  ASSERT_EQ(answer.items_size(), kComputedItems);
  EXPECT_EQ(answer.items(0).product().id(), 20);
  EXPECT_THAT(answer.items(), ::testing::Each(::testing::Property(
                                  &RecommendationItem::relevance_score, 85.0)));
  EXPECT_EQ(counters_.stats().fallbacks, 0);
}

TEST_F(AnswerBuilderTest, TopSellersSayWhyAndAreCounted) {
  auto answer =
      builder_.TopSellers(catalog_, "model: timed out", "model_timeout", 1);
  EXPECT_EQ(answer.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_EQ(answer.fallback_reason(), "model: timed out");
  // Category 1 holds the odd ids.
  EXPECT_THAT(ProductIds(answer),
              ::testing::ElementsAre(19, 17, 15, 13, 11, 9, 7, 5, 3, 1));
  EXPECT_THAT(answer.items(),
              ::testing::Each(::testing::Property(
                  &RecommendationItem::source, smartshop::v1::ERROR_FALLBACK)));
  EXPECT_EQ(counters_.stats().fallbacks, 1);
}

TEST_F(AnswerBuilderTest, FinishCutsToTheCallersCountAndExclusions) {
  auto answer = builder_.NoData(catalog_);
  smartshop::v1::GetRecommendationsRequest request;
  request.set_limit(3);
  request.add_exclude_product_ids(19);
  AnswerBuilder::Finish(request, &catalog_, answer, absl::Now());
  EXPECT_THAT(ProductIds(answer), ::testing::ElementsAre(20, 18, 17));
}

TEST_F(AnswerBuilderTest, FinishBoostsBeforeTheCutSoABoostLiftsIntoThePage) {
  const CatalogSnapshot catalog =
      BuilderCatalog({RuleFor(smartshop::v1::MERCHANDISING_BOOST, 10, 0)});
  auto answer = builder_.NoData(catalog);  // 20..5, all scored 85
  smartshop::v1::GetRecommendationsRequest request;
  request.set_limit(3);
  AnswerBuilder::Finish(request, &catalog, answer, kBuildNow);
  EXPECT_THAT(ProductIds(answer), ::testing::ElementsAre(10, 20, 19));
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(answer.items(0).reason(), "Promoted");
  EXPECT_EQ(answer.items(0).relevance_score(), 100);
}

TEST_F(AnswerBuilderTest, FinishTopsUpWithoutWhatARuleExcludes) {
  const CatalogSnapshot catalog =
      BuilderCatalog({RuleFor(smartshop::v1::MERCHANDISING_EXCLUDE, 0, 2)});
  auto answer = builder_.NoData(catalog);  // 20..5
  smartshop::v1::GetRecommendationsRequest request;
  request.add_exclude_product_ids(19);
  AnswerBuilder::Finish(request, &catalog, answer, kBuildNow);
  // Odd ids only: 17..5 from the answer, then top seller 3 (not 4).
  EXPECT_THAT(ProductIds(answer),
              ::testing::ElementsAre(17, 15, 13, 11, 9, 7, 5, 3));
  EXPECT_EQ(answer.items(7).source(), smartshop::v1::GAP_FILL);
}

TEST_F(AnswerBuilderTest, FinishKeepsTheCartsCategoriesVariedAsServed) {
  // A cached basket answer whose category-2 items were sold out or taken
  // since: six of category 1 (odd ids) and one of category 2.
  auto cached = [] {
    return AnswerOf({1, 3, 5, 7, 9, 11, 2}, 90, smartshop::v1::BUILTIN);
  };
  smartshop::v1::GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  request.add_cart_product_ids(13);
  // With and without merchandising rules (a rule that touches none).
  const CatalogSnapshot with_rules =
      BuilderCatalog({RuleFor(smartshop::v1::MERCHANDISING_EXCLUDE, 99, 0)});
  for (const CatalogSnapshot* catalog : {&catalog_, &with_rules}) {
    smartshop::v1::Recommendations answer = cached();
    AnswerBuilder::Finish(request, catalog, answer, kBuildNow);
    // Four of category 1, then 2, then the held-back 9 and 11 (ranked
    // candidates, as the ranker keeps them before any top-up), then a
    // top seller of category 2.
    EXPECT_THAT(ProductIds(answer),
                ::testing::ElementsAre(1, 3, 5, 7, 2, 9, 11, 20));
  }
  // Stored top-ups (a computed answer holds 16) stay after every ranked
  // candidate, the held-back 9 included.
  smartshop::v1::Recommendations stored;
  for (int64_t id : {1, 3, 5, 7, 9, 20, 18}) {
    auto* item = stored.add_items();
    item->mutable_product()->set_id(id);
    item->set_relevance_score(id >= 18 ? 75 : 90 - id);
    if (id >= 18) item->set_source(smartshop::v1::GAP_FILL);
  }
  request.set_limit(6);
  AnswerBuilder::Finish(request, &catalog_, stored, kBuildNow);
  EXPECT_THAT(ProductIds(stored), ::testing::ElementsAre(1, 3, 5, 7, 9, 20));
  request.clear_limit();

  // A product page has no such rule.
  request.clear_cart_product_ids();
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_product_id(13);
  smartshop::v1::Recommendations page = cached();
  AnswerBuilder::Finish(request, &catalog_, page, kBuildNow);
  EXPECT_THAT(ProductIds(page),
              ::testing::ElementsAre(1, 3, 5, 7, 9, 11, 2, 20));
}

TEST_F(AnswerBuilderTest, FinishKeepsTheCartsRuleThroughPinsOfWhatIsServed) {
  auto pin_at = [](int position) {
    smartshop::v1::MerchandisingRule rule =
        RuleFor(smartshop::v1::MERCHANDISING_PIN, 7, 0);
    rule.set_pin_position(position);
    return BuilderCatalog({rule});
  };
  auto ranked = [] {
    return AnswerOf({1, 3, 2, 4, 5, 6}, 90, smartshop::v1::BUILTIN);
  };
  smartshop::v1::GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  request.add_cart_product_ids(13);
  request.set_limit(4);
  // Two per category. A pin within the four served takes one of its
  // category's two; one past them (cut) takes none.
  const CatalogSnapshot within = pin_at(2), past = pin_at(6);
  smartshop::v1::Recommendations answer = ranked();
  AnswerBuilder::Finish(request, &within, answer, kBuildNow, nullptr, 2);
  EXPECT_THAT(ProductIds(answer), ::testing::ElementsAre(1, 7, 2, 4));
  answer = ranked();
  AnswerBuilder::Finish(request, &past, answer, kBuildNow, nullptr, 2);
  EXPECT_THAT(ProductIds(answer), ::testing::ElementsAre(1, 3, 2, 4));
}

TEST_F(AnswerBuilderTest, FinishWithoutACatalogOnlyExcludesAndCuts) {
  auto answer = builder_.NoData(catalog_);
  smartshop::v1::GetRecommendationsRequest request;
  request.add_exclude_product_ids(20);
  AnswerBuilder::Finish(request, nullptr, answer, absl::Now());
  EXPECT_THAT(ProductIds(answer),
              ::testing::ElementsAre(19, 18, 17, 16, 15, 14, 13, 12));
}

}  // namespace
}  // namespace smartshop::recommender
