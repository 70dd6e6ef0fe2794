// The version in a shared placement answer's key: it moves with what the
// answer reads of its products (the model's learning, their categories in
// the catalog) and with nothing else.
#include "services/recommender/placement_version.h"

#include "gtest/gtest.h"
#include "tests/testing/catalog_builders.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

GetRecommendationsRequest ProductPage(int64_t id) {
  GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_product_id(id);
  return request;
}

GetRecommendationsRequest Cart(std::initializer_list<int64_t> ids) {
  GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  for (int64_t id : ids) request.add_cart_product_ids(id);
  return request;
}

CatalogSnapshot Shop(std::vector<smartshop::v1::Product> extra = {}) {
  std::vector<smartshop::v1::Product> products = {
      testing::CategorisedProduct(1, 1), testing::CategorisedProduct(2, 1),
      testing::CategorisedProduct(3, 2)};
  for (auto& p : extra) products.push_back(std::move(p));
  return CatalogSnapshot(std::move(products), kT0);
}

TEST(LearntGenerationTest, EachChangeWhileFewThenEveryTenPercent) {
  for (uint64_t c = 0; c < 10; ++c) {
    EXPECT_LT(LearntGeneration(c), LearntGeneration(c + 1)) << c;
  }
  EXPECT_EQ(LearntGeneration(10'000), LearntGeneration(10'300));
  EXPECT_LT(LearntGeneration(10'000), LearntGeneration(11'100));
}

TEST(PlacementInputsVersionTest, FollowsTheModelsLearningOfThePagesProduct) {
  InteractionModel model;
  const CatalogSnapshot shop = Shop();
  const std::string before =
      PlacementInputsVersion(ProductPage(1), &model, &shop);
  EXPECT_EQ(before.size(), 16u);
  EXPECT_EQ(PlacementInputsVersion(ProductPage(1), &model, &shop), before);

  // Someone else's view of other products: not this page's data.
  model.Observe("u:a", 2, Signal::kView, kT0);
  model.Observe("u:a", 3, Signal::kView, kT0);
  EXPECT_EQ(PlacementInputsVersion(ProductPage(1), &model, &shop), before);
  // A shopper who viewed 2 now views 1: 1's neighbours changed.
  model.Observe("u:a", 1, Signal::kView, kT0);
  const std::string after =
      PlacementInputsVersion(ProductPage(1), &model, &shop);
  EXPECT_NE(after, before);
  // And a shopper viewing 1 before 2 changes 1's row too.
  model.Observe("u:b", 1, Signal::kView, kT0);
  model.Observe("u:b", 2, Signal::kView, kT0);
  EXPECT_NE(PlacementInputsVersion(ProductPage(1), &model, &shop), after);
}

TEST(PlacementInputsVersionTest, FollowsTheCatalogOfTheProductsCategory) {
  InteractionModel model;
  const CatalogSnapshot shop = Shop();
  const std::string base =
      PlacementInputsVersion(ProductPage(1), &model, &shop);
  const CatalogSnapshot other_category =
      Shop({testing::CategorisedProduct(4, 2)});
  EXPECT_EQ(PlacementInputsVersion(ProductPage(1), &model, &other_category),
            base);
  const CatalogSnapshot same_category =
      Shop({testing::CategorisedProduct(4, 1)});
  EXPECT_NE(PlacementInputsVersion(ProductPage(1), &model, &same_category),
            base);
  // A product not in the catalog yet has a version too.
  EXPECT_EQ(PlacementInputsVersion(ProductPage(99), &model, &shop).size(), 16u);
  EXPECT_EQ(PlacementInputsVersion(ProductPage(1), nullptr, nullptr).size(),
            16u);
}

TEST(PlacementInputsVersionTest, ACartsVersionIsEachOfItsProducts) {
  InteractionModel model;
  const CatalogSnapshot shop = Shop();
  const std::string cart = PlacementInputsVersion(Cart({3, 1}), &model, &shop);
  EXPECT_EQ(PlacementInputsVersion(Cart({1, 3, 1}), &model, &shop), cart);
  EXPECT_NE(PlacementInputsVersion(Cart({1}), &model, &shop), cart);
  model.Observe("u:a", 3, Signal::kPurchase, kT0);
  EXPECT_NE(PlacementInputsVersion(Cart({3, 1}), &model, &shop), cart);
  const CatalogSnapshot renamed_in_2 = [] {
    auto p = testing::CategorisedProduct(3, 2);
    p.set_name("Renamed");
    return CatalogSnapshot({testing::CategorisedProduct(1, 1),
                            testing::CategorisedProduct(2, 1), p},
                           kT0);
  }();
  EXPECT_NE(PlacementInputsVersion(Cart({3, 1}), &model, &renamed_in_2),
            PlacementInputsVersion(Cart({3, 1}), &model, &shop));
}

TEST(PlacementInputsVersionTest, ForgettingABucketIsANewVersion) {
  InteractionModel model(
      {.history_window = absl::Hours(8), .window_buckets = 8});
  const CatalogSnapshot shop = Shop();
  model.Observe("u:a", 1, Signal::kView, kT0);
  const std::string before =
      PlacementInputsVersion(ProductPage(2), &model, &shop);
  model.AdvanceTo(kT0 + absl::Hours(10));
  EXPECT_NE(PlacementInputsVersion(ProductPage(2), &model, &shop), before);
}

TEST(PlacementInputsVersionTest, OtherPlacementsHaveNone) {
  InteractionModel model;
  const CatalogSnapshot shop = Shop();
  GetRecommendationsRequest request;
  for (auto placement :
       {smartshop::v1::PLACEMENT_HOME, smartshop::v1::PLACEMENT_TRENDING,
        smartshop::v1::PLACEMENT_RECENTLY_VIEWED}) {
    request.set_placement(placement);
    EXPECT_EQ(PlacementInputsVersion(request, &model, &shop), "") << placement;
  }
}

}  // namespace
}  // namespace smartshop::recommender
