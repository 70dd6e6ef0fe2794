#include "services/recommender/answer_rules.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/recommendation_views.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::ProductIds;

using ::testing::ElementsAre;

smartshop::v1::Product RuleProduct(
    int64_t id, int64_t sold, bool active = true,
    std::optional<int64_t> stock = std::nullopt) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name("Item");
  p.set_is_active(active);
  p.set_units_sold(sold);
  if (stock) p.set_stock(*stock);
  return p;
}

smartshop::v1::Recommendations Answer(std::vector<int64_t> ids) {
  return smartshop::testing::AnswerOf(ids, 99, smartshop::v1::MODEL);
}

// Products 1..12, product i sold i units: top sellers 12, 11, 10, ...
std::vector<smartshop::v1::Product> RulesCatalog() {
  std::vector<smartshop::v1::Product> products;
  for (int i = 1; i <= 12; ++i) products.push_back(RuleProduct(i, i));
  return products;
}

TEST(AnswerRulesTest, DropsWhatIsNoLongerSellableAndTopsUpToTheCount) {
  std::vector<smartshop::v1::Product> products = RulesCatalog();
  products[1] = RuleProduct(2, 2, /*active=*/false);              // deactivated
  products[2] = RuleProduct(3, 3, /*active=*/true, /*stock=*/0);  // sold out
  products[11] =
      RuleProduct(12, 12, true, 0);  // the best seller is sold out too
  const CatalogSnapshot catalog(products, absl::Now());
  smartshop::v1::Recommendations answer = Answer({1, 2, 3, 4, 99});
  ApplyAnswerRules(catalog, {.count = 8}, answer);
  // 99 is unknown to the catalog; the top-ups skip 12 as well.
  EXPECT_THAT(ProductIds(answer), ElementsAre(1, 4, 11, 10, 9, 8, 7, 6));
  EXPECT_EQ(answer.items(2).source(), smartshop::v1::GAP_FILL);
  // Never above the items kept.
  EXPECT_LE(answer.items(2).relevance_score(),
            answer.items(1).relevance_score());
}

TEST(AnswerRulesTest, ExclusionsDuplicatesAndTheCountHold) {
  const CatalogSnapshot catalog(RulesCatalog(), absl::Now());
  const absl::flat_hash_set<int64_t> exclude = {5, 12};
  smartshop::v1::Recommendations answer = Answer({5, 1, 1, 2, 3});
  ApplyAnswerRules(catalog, {.count = 3, .exclude = &exclude}, answer);
  EXPECT_THAT(ProductIds(answer), ElementsAre(1, 2, 3));
  answer = Answer({});
  ApplyAnswerRules(catalog, {.count = 8, .exclude = &exclude}, answer);
  EXPECT_THAT(ProductIds(answer), ElementsAre(11, 10, 9, 8, 7, 6, 4, 3));
}

TEST(AnswerRulesTest, RefreshesProductDataFromTheCatalog) {
  std::vector<smartshop::v1::Product> products = RulesCatalog();
  products[0].set_price_cents(1234);
  const CatalogSnapshot catalog(products, absl::Now());
  smartshop::v1::Recommendations answer = Answer({1});
  ApplyAnswerRules(catalog, {.count = 1}, answer);
  EXPECT_EQ(answer.items(0).product().price_cents(), 1234);
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::MODEL);
}

TEST(AnswerRulesTest, FewerOnlyWhenTheCatalogRunsOut) {
  std::vector<smartshop::v1::Product> products = {
      RuleProduct(1, 1), RuleProduct(2, 2, true, 0), RuleProduct(3, 3)};
  const CatalogSnapshot catalog(products, absl::Now());
  smartshop::v1::Recommendations answer = Answer({});
  ApplyAnswerRules(catalog, {.count = 8}, answer);
  EXPECT_THAT(ProductIds(answer), ElementsAre(3, 1));
}

TEST(AnswerRulesTest, TopUpsOfACategoryPageStayInTheCategory) {
  std::vector<smartshop::v1::Product> products = RulesCatalog();
  for (auto& p : products) p.set_category_id(p.id() % 2 == 0 ? 2 : 3);
  const CatalogSnapshot catalog(products, absl::Now());
  smartshop::v1::Recommendations answer = Answer({});
  ApplyAnswerRules(catalog, {.count = 3, .category_id = 3}, answer);
  EXPECT_THAT(ProductIds(answer), ElementsAre(11, 9, 7));
}

TEST(AnswerRulesTest, TheCartsDiversityRuleHoldsThroughRemovalsAndTopUps) {
  // The top sellers 12..7 are of category 1, products 6..1 of category 2.
  std::vector<smartshop::v1::Product> products = RulesCatalog();
  for (auto& p : products) p.set_category_id(p.id() >= 7 ? 1 : 2);
  products[3] = RuleProduct(4, 4, true, /*stock=*/0);  // sold out since
  products[3].set_category_id(2);
  const CatalogSnapshot catalog(products, absl::Now());
  const AnswerRules cart{.count = 4, .max_per_category = 2};
  auto apply = [&](const AnswerRules& rules, std::vector<int64_t> ids) {
    smartshop::v1::Recommendations answer = Answer(std::move(ids));
    ApplyAnswerRules(catalog, rules, answer);
    return answer;
  };

  // The sold-out 4 leaves: the next in line, 10, would be a third of
  // category 1; the rule takes 1 and 2 first.
  const smartshop::v1::Recommendations kept =
      apply(cart, {12, 11, 4, 10, 1, 2});
  EXPECT_THAT(ProductIds(kept), ElementsAre(12, 11, 1, 2));
  for (int i = 1; i < kept.items_size(); ++i) {
    EXPECT_LE(kept.items(i).relevance_score(),
              kept.items(i - 1).relevance_score());
  }
  EXPECT_THAT(ProductIds(apply({.count = 4}, {12, 11, 4, 10, 1, 2})),
              ElementsAre(12, 11, 10, 1));

  // Top-ups: the best sellers of another category first.
  EXPECT_THAT(ProductIds(apply(cart, {12, 11})), ElementsAre(12, 11, 6, 5));
  EXPECT_THAT(ProductIds(apply({.count = 4}, {12, 11})),
              ElementsAre(12, 11, 10, 9));

  // When only one category is left, it fills the cart.
  const absl::flat_hash_set<int64_t> category_2 = {1, 2, 3, 4, 5, 6};
  EXPECT_THAT(
      ProductIds(apply(
          {.count = 4, .exclude = &category_2, .max_per_category = 2}, {12})),
      ElementsAre(12, 11, 10, 9));
}

TEST(AnswerRulesTest, FixedItemsKeepTheirPlacesAndLastOnesStayLast) {
  // Category 1: 1, 2, 3, 7; category 2: 4, 5, 8; 6 has none. 7 is a top-up.
  auto item = [](int64_t id, int64_t category, double score,
                 smartshop::v1::RecommendationSource source) {
    smartshop::v1::RecommendationItem item;
    item.mutable_product()->set_id(id);
    item.mutable_product()->set_category_id(category);
    item.set_relevance_score(score);
    item.set_source(source);
    return item;
  };
  smartshop::v1::Recommendations answer;
  for (auto& i : {
           item(1, 1, 90, smartshop::v1::BUILTIN),
           item(2, 1, 80, smartshop::v1::BUILTIN),
           item(4, 2, 70, smartshop::v1::BUILTIN),
           item(3, 1, 60, smartshop::v1::MERCHANDISED),  // pinned
           item(6, 0, 50, smartshop::v1::BUILTIN),
           item(5, 2, 40, smartshop::v1::BUILTIN),
           item(8, 2, 35, smartshop::v1::BUILTIN),  // buried
           item(7, 1, 30, smartshop::v1::GAP_FILL),
       }) {
    *answer.add_items() = i;
  }
  using P = VariedPlace;
  KeepCategoriesVaried(
      2,
      {P::kFree, P::kFree, P::kFree, P::kFixed, P::kFree, P::kFree, P::kLast},
      answer);  // 7 has no entry: free
  std::vector<double> scores;
  for (const auto& i : answer.items()) scores.push_back(i.relevance_score());
  const std::vector<int64_t> ids = ProductIds(answer);
  // 3 keeps its place and one of category 1's two; 2 is held back, still
  // before the top-up 7 (held back too); the buried 8 stays last; no score
  // rises.
  EXPECT_THAT(ids, ElementsAre(1, 4, 6, 3, 5, 2, 7, 8));
  EXPECT_THAT(scores, ElementsAre(90, 70, 50, 50, 40, 40, 30, 30));
}

}  // namespace
}  // namespace smartshop::recommender
