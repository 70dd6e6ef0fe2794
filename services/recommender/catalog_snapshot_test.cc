// The catalog snapshot's indexes: by category, by name word within a
// category (the product page's product lines), and the words themselves.
#include "services/recommender/catalog_snapshot.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/catalog_builders.h"

namespace smartshop::recommender {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<int64_t> ProductIds(
    const std::vector<const smartshop::v1::Product*>& ps) {
  std::vector<int64_t> ids;
  for (const auto* p : ps) ids.push_back(p->id());
  return ids;
}

TEST(NameWordsTest, KeepsDistinctLowerCasedWordsWithALetter) {
  EXPECT_THAT(NameWords("Set of 12 Red Retrospot Cases, RED 3x4"),
              ElementsAre("set", "red", "retrospot", "cases", "3x4"));
  EXPECT_THAT(NameWords("Pack of 60 Dinosaur Cake Cases 60cm"),
              ElementsAre("pack", "dinosaur", "cake", "cases", "60cm"));
  EXPECT_THAT(NameWords("12 x 24"), IsEmpty());
  EXPECT_THAT(NameWords(""), IsEmpty());
}

TEST(CatalogSnapshotTest, IndexesActiveProductsByCategoryAndNameWord) {
  auto named = [](int64_t id, int64_t category, const std::string& name) {
    auto p = testing::CategorisedProduct(id, category);
    p.set_name(name);
    return p;
  };
  auto inactive = named(4, 1, "Red Retrospot Bag");
  inactive.set_is_active(false);
  const CatalogSnapshot catalog(
      {named(3, 1, "Jumbo Bag Red Retrospot"), named(1, 1, "Red Lunch Bag"),
       named(2, 2, "Red Retrospot Cake Cases"), inactive},
      absl::UnixEpoch());
  EXPECT_THAT(ProductIds(catalog.ActiveInCategory(1)), ElementsAre(1, 3));
  EXPECT_THAT(ProductIds(catalog.ActiveInCategoryNamed(1, "red")),
              ElementsAre(1, 3));
  EXPECT_THAT(ProductIds(catalog.ActiveInCategoryNamed(1, "retrospot")),
              ElementsAre(3));
  EXPECT_THAT(ProductIds(catalog.ActiveInCategoryNamed(2, "retrospot")),
              ElementsAre(2));
  EXPECT_THAT(catalog.ActiveInCategoryNamed(1, "Red"), IsEmpty());
  EXPECT_THAT(catalog.ActiveInCategoryNamed(1, "cake"), IsEmpty());
  EXPECT_THAT(catalog.ActiveInCategoryNamed(9, "red"), IsEmpty());
}

}  // namespace
}  // namespace smartshop::recommender
