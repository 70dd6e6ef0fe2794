#include "services/recommender/model/product_matcher.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

smartshop::v1::Product MatcherProduct(int64_t id, std::string name,
                                      std::string category,
                                      bool active = true) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name(std::move(name));
  p.set_category_name(std::move(category));
  p.set_is_active(active);
  return p;
}

CatalogSnapshot MatcherCatalog() {
  return CatalogSnapshot(
      {MatcherProduct(1, "Mug holder", "Kitchen"),
       MatcherProduct(2, "Mug", "Kitchen"), MatcherProduct(3, "Mug", "Office"),
       MatcherProduct(4, "Retired mug", "Kitchen", false),
       MatcherProduct(5, "Tea (Green)", "Drinks")},
      absl::Now());
}

std::vector<int64_t> MatchedIds(const MatchResult& result) {
  std::vector<int64_t> ids;
  for (const auto& m : result.matched) ids.push_back(m.product->id());
  return ids;
}

ModelPick Pick(std::string product) { return {std::move(product), 90, "r"}; }

TEST(MatchPicksTest, PrefersExactNameAndCategory) {
  const CatalogSnapshot catalog = MatcherCatalog();
  EXPECT_THAT(MatchedIds(MatchPicks({Pick("mug (office)")}, catalog)),
              ::testing::ElementsAre(3));
  // The original's substring rule would have picked "Mug holder" (id 1).
  EXPECT_THAT(MatchedIds(MatchPicks({Pick("Mug (Kitchen)")}, catalog)),
              ::testing::ElementsAre(2));
}

TEST(MatchPicksTest, ExactNameWithoutCategory) {
  EXPECT_THAT(MatchedIds(MatchPicks({Pick("MUG")}, MatcherCatalog())),
              ::testing::ElementsAre(2));
}

TEST(MatchPicksTest, NamesThatContainParentheses) {
  EXPECT_THAT(
      MatchedIds(MatchPicks({Pick("Tea (Green) (Drinks)")}, MatcherCatalog())),
      ::testing::ElementsAre(5));
}

TEST(MatchPicksTest, FallsBackToTheOriginalSubstringRule) {
  EXPECT_THAT(
      MatchedIds(MatchPicks({Pick("holder (Whatever)")}, MatcherCatalog())),
      ::testing::ElementsAre(1));
}

TEST(MatchPicksTest, NeverTheSameProductTwiceNorAnInactiveOne) {
  // The matches point into the catalog: it must outlive the result.
  const CatalogSnapshot catalog = MatcherCatalog();
  auto result = MatchPicks(
      {Pick("Mug (Kitchen)"), Pick("mug (kitchen)"), Pick("Retired mug"),
       Pick("Unicorn (Toys)"), Pick(" (Kitchen)")},
      catalog);
  EXPECT_THAT(MatchedIds(result), ::testing::ElementsAre(2));
  EXPECT_EQ(result.duplicates, 1);
  // "Retired mug" is inactive: no match; an empty name matches nothing.
  EXPECT_EQ(result.unmatched, 3);
}

TEST(MatchPicksTest, KeepsScoresAndReasons) {
  const CatalogSnapshot catalog = MatcherCatalog();
  auto result =
      MatchPicks({{"Mug (Office)", 61.5, "Bought together"}}, catalog);
  ASSERT_EQ(result.matched.size(), 1u);
  EXPECT_DOUBLE_EQ(result.matched[0].relevance_score, 61.5);
  EXPECT_EQ(result.matched[0].reason, "Bought together");
}

}  // namespace
}  // namespace smartshop::recommender
