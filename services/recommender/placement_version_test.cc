// The version in a shared placement answer's key: it moves with what the
// answer reads of its products (the model's learning, their categories in
// the catalog) and with nothing else.
#include "services/recommender/placement_version.h"

#include "gtest/gtest.h"
#include "services/recommender/builtin/interaction_model_test_peer.h"
#include "tests/testing/catalog_builders.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;

const absl::Time kVersionT0 = absl::FromUnixSeconds(1'700'000'000);

GetRecommendationsRequest VersionedPage(int64_t id) {
  GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_product_id(id);
  return request;
}

GetRecommendationsRequest VersionedCart(std::initializer_list<int64_t> ids) {
  GetRecommendationsRequest request;
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  for (int64_t id : ids) request.add_cart_product_ids(id);
  return request;
}

CatalogSnapshot VersionShop(std::vector<smartshop::v1::Product> extra = {}) {
  std::vector<smartshop::v1::Product> products = {
      testing::CategorisedProduct(1, 1), testing::CategorisedProduct(2, 1),
      testing::CategorisedProduct(3, 2)};
  for (auto& p : extra) products.push_back(std::move(p));
  return CatalogSnapshot(std::move(products), kVersionT0);
}

TEST(LearntGenerationTest, EachChangeWhileFewThenEveryTenPercent) {
  EXPECT_EQ(LearntGeneration(0), 0);
  for (uint64_t c = 0; c < 20; ++c) {
    EXPECT_EQ(LearntGeneration(c + 1), LearntGeneration(c) + 1) << c;
  }
  // Past that, one generation per tenth of growth.
  EXPECT_LE(LearntGeneration(11'000) - LearntGeneration(10'000), 1);
  EXPECT_GE(LearntGeneration(12'100) - LearntGeneration(10'000), 1);
  EXPECT_GT(LearntGeneration(uint64_t{1} << 63), LearntGeneration(1'000'000));
}

TEST(PlacementInputsVersionTest, FollowsTheModelsLearningOfThePagesProduct) {
  InteractionModel model;
  const CatalogSnapshot shop = VersionShop();
  const std::string before =
      *PlacementInputsVersion(VersionedPage(1), &model, &shop);
  EXPECT_EQ(before.size(), 16u);
  EXPECT_EQ(*PlacementInputsVersion(VersionedPage(1), &model, &shop), before);

  // Someone else's view of other products: not this page's data.
  model.Observe("u:a", 2, Signal::kView, kVersionT0);
  model.Observe("u:a", 3, Signal::kView, kVersionT0);
  EXPECT_EQ(*PlacementInputsVersion(VersionedPage(1), &model, &shop), before);
  // A shopper who viewed 2 now views 1: 1's neighbours changed.
  model.Observe("u:a", 1, Signal::kView, kVersionT0);
  const std::string after =
      *PlacementInputsVersion(VersionedPage(1), &model, &shop);
  EXPECT_NE(after, before);
  // And a shopper viewing 2 after 1 changes 1's row too.
  model.Observe("u:b", 1, Signal::kView, kVersionT0);
  const std::string viewed =
      *PlacementInputsVersion(VersionedPage(1), &model, &shop);
  EXPECT_NE(viewed, after);
  model.Observe("u:b", 2, Signal::kView, kVersionT0);
  EXPECT_NE(*PlacementInputsVersion(VersionedPage(1), &model, &shop), viewed);
}

TEST(PlacementInputsVersionTest, FollowsTheCatalogOfTheProductsCategory) {
  InteractionModel model;
  const CatalogSnapshot shop = VersionShop();
  const std::string base =
      *PlacementInputsVersion(VersionedPage(1), &model, &shop);
  const CatalogSnapshot other_category =
      VersionShop({testing::CategorisedProduct(4, 2)});
  EXPECT_EQ(*PlacementInputsVersion(VersionedPage(1), &model, &other_category),
            base);
  const CatalogSnapshot same_category =
      VersionShop({testing::CategorisedProduct(4, 1)});
  EXPECT_NE(*PlacementInputsVersion(VersionedPage(1), &model, &same_category),
            base);
  // A product not in the catalog yet has a version too.
  EXPECT_EQ(PlacementInputsVersion(VersionedPage(99), &model, &shop)->size(),
            16u);
  EXPECT_EQ(PlacementInputsVersion(VersionedPage(1), nullptr, nullptr)->size(),
            16u);
}

TEST(PlacementInputsVersionTest, ACartsVersionIsEachOfItsProducts) {
  InteractionModel model;
  const CatalogSnapshot shop = VersionShop();
  const std::string cart =
      *PlacementInputsVersion(VersionedCart({3, 1}), &model, &shop);
  EXPECT_EQ(*PlacementInputsVersion(VersionedCart({1, 3, 1}), &model, &shop),
            cart);
  EXPECT_NE(*PlacementInputsVersion(VersionedCart({1}), &model, &shop), cart);
  model.Observe("u:a", 3, Signal::kPurchase, kVersionT0);
  EXPECT_NE(*PlacementInputsVersion(VersionedCart({3, 1}), &model, &shop),
            cart);
  const CatalogSnapshot renamed_in_2 = [] {
    auto p = testing::CategorisedProduct(3, 2);
    p.set_name("Renamed");
    return CatalogSnapshot({testing::CategorisedProduct(1, 1),
                            testing::CategorisedProduct(2, 1), p},
                           kVersionT0);
  }();
  EXPECT_NE(
      *PlacementInputsVersion(VersionedCart({3, 1}), &model, &renamed_in_2),
      *PlacementInputsVersion(VersionedCart({3, 1}), &model, &shop));
}

TEST(PlacementInputsVersionTest, ForgettingABucketIsANewVersionOfItsProducts) {
  InteractionModel model(
      {.history_window = absl::Hours(8), .window_buckets = 8});
  const CatalogSnapshot shop = VersionShop();
  model.Observe("u:a", 1, Signal::kView, kVersionT0);
  model.Observe("u:b", 2, Signal::kView, kVersionT0 + absl::Hours(5));
  const std::string one =
      *PlacementInputsVersion(VersionedPage(1), &model, &shop);
  const std::string two =
      *PlacementInputsVersion(VersionedPage(2), &model, &shop);
  model.AdvanceTo(kVersionT0 + absl::Hours(10));  // 1's bucket left the window
  EXPECT_NE(*PlacementInputsVersion(VersionedPage(1), &model, &shop), one);
  EXPECT_EQ(*PlacementInputsVersion(VersionedPage(2), &model, &shop), two);
}

TEST(PlacementInputsVersionTest, FollowsThePagesOwnProductRecord) {
  InteractionModel model;
  auto uncategorised = [](const std::string& name, bool active) {
    auto p = testing::CategorisedProduct(5, 0);
    p.set_name(name);
    p.set_is_active(active);
    return CatalogSnapshot({p}, kVersionT0);
  };
  const CatalogSnapshot base = uncategorised("Lamp", true);
  const CatalogSnapshot renamed = uncategorised("Desk lamp", true);
  const CatalogSnapshot inactive = uncategorised("Lamp", false);
  const std::string version =
      *PlacementInputsVersion(VersionedPage(5), &model, &base);
  EXPECT_NE(*PlacementInputsVersion(VersionedPage(5), &model, &renamed),
            version);
  EXPECT_NE(*PlacementInputsVersion(VersionedPage(5), &model, &inactive),
            version);
}

TEST(PlacementInputsVersionTest, WithoutWaitingNoneWhileTheModelIsLearning) {
  InteractionModel model;
  const CatalogSnapshot shop = VersionShop();
  const std::string version =
      *PlacementInputsVersion(VersionedPage(1), &model, &shop);
  EXPECT_EQ(PlacementInputsVersion(VersionedPage(1), &model, &shop,
                                   /*may_wait=*/false),
            version);
  {
    // Another reader does not stop it.
    const InteractionModel::Reader reading = model.Read();
    EXPECT_EQ(PlacementInputsVersion(VersionedPage(1), &model, &shop,
                                     /*may_wait=*/false),
              version);
  }
  {
    absl::MutexLock learning(&InteractionModelTestPeer::Mutex(model));
    EXPECT_EQ(PlacementInputsVersion(VersionedPage(1), &model, &shop,
                                     /*may_wait=*/false),
              std::nullopt);
    // Nothing to wait for without a product.
    EXPECT_EQ(PlacementInputsVersion(GetRecommendationsRequest(), &model, &shop,
                                     /*may_wait=*/false),
              "");
  }
}

TEST(PlacementInputsVersionTest, OtherPlacementsHaveNone) {
  InteractionModel model;
  const CatalogSnapshot shop = VersionShop();
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
