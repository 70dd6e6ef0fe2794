// The catalog snapshot's indexes: by category, by name word within a
// category (the product page's product lines), the words themselves, and
// the categories' fingerprints (the shared placement answers' versions).
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

TEST(CatalogSnapshotTest, ACategorysFingerprintFollowsWhatRankingReads) {
  using smartshop::v1::Product;
  const std::vector<Product> shop = {testing::CategorisedProduct(1, 1),
                                     testing::CategorisedProduct(2, 1),
                                     testing::CategorisedProduct(3, 2)};
  auto fingerprint = [](std::vector<Product> products) {
    return CatalogSnapshot(std::move(products), absl::UnixEpoch())
        .CategoryFingerprint(1);
  };
  const uint64_t base = fingerprint(shop);
  EXPECT_NE(base, 0u);
  EXPECT_EQ(fingerprint({shop[2], shop[1], shop[0]}), base);  // any order

  // Figures that move with every order leave it.
  std::vector<Product> sold = shop;
  sold[0].set_units_sold(sold[0].units_sold() + 1);
  sold[0].set_stock(5);
  EXPECT_EQ(fingerprint(sold), base);
  // Another category's change leaves it.
  std::vector<Product> other = shop;
  other[2].set_name("Renamed");
  EXPECT_EQ(fingerprint(other), base);

  // A rename, a sell-out, a deactivation, a new product, a product moved
  // out: each changes it.
  std::vector<Product> changed = shop;
  changed[0].set_name("Renamed");
  EXPECT_NE(fingerprint(changed), base);
  changed = shop;
  changed[0].set_stock(0);
  EXPECT_NE(fingerprint(changed), base);
  changed = shop;
  changed[1].set_is_active(false);
  EXPECT_NE(fingerprint(changed), base);
  changed = shop;
  changed.push_back(testing::CategorisedProduct(4, 1));
  EXPECT_NE(fingerprint(changed), base);
  changed = shop;
  changed[1].set_category_id(2);
  EXPECT_NE(fingerprint(changed), base);

  const CatalogSnapshot catalog(shop, absl::UnixEpoch());
  EXPECT_EQ(catalog.CategoryFingerprint(0), 0u);
  EXPECT_EQ(catalog.CategoryFingerprint(9), 0u);
}

}  // namespace
}  // namespace smartshop::recommender
