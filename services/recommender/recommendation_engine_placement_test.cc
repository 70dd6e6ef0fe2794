// The engine's placements other than the home page: the product page and
// the cart (shared by anonymous visitors, keyed by the shopper's version
// otherwise), recently viewed, trending, their validation, fallbacks,
// erasure and the optional hybrid model.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/builtin/interaction_model_test_peer.h"
#include "services/recommender/builtin/placement_ranking.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/recommendation_views.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::ProductIds;
using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Interaction;
using smartshop::v1::Recommendations;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kPlacementNow = absl::FromUnixSeconds(1'800'000'000);

Interaction PlacementEvent(smartshop::v1::InteractionType type,
                           std::string user, int64_t product, absl::Time at) {
  Interaction i;
  i.set_user_id(std::move(user));
  i.set_type(type);
  i.set_product_id(product);
  i.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(at));
  return i;
}

GetRecommendationsRequest ProductPage(int64_t product, std::string user = "") {
  GetRecommendationsRequest r;
  r.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  r.set_product_id(product);
  r.set_user_id(std::move(user));
  return r;
}

class PlacementEngineTest : public ::testing::Test {
 protected:
  PlacementEngineTest() {
    std::vector<smartshop::v1::Product> products;
    // 20 products; categories 1..4 of five each; product i sold i units;
    // 20 is inactive.
    for (int i = 1; i <= 20; ++i) {
      smartshop::v1::Product p;
      p.set_id(i);
      p.set_name(absl::StrCat("Item ", i));
      p.set_category_id(1 + (i - 1) / 5);
      p.set_category_name(absl::StrCat("Cat ", 1 + (i - 1) / 5));
      p.set_is_active(i != 20);
      p.set_units_sold(i);
      products.push_back(p);
    }
    tracking_.SetProducts(products);
    EXPECT_TRUE(catalog_.Refresh().ok());
    // a, b, c bought 1 then 7 (and 20, inactive); d, e viewed 1 then 14.
    for (const char* u : {"a", "b", "c"}) {
      Learn(smartshop::v1::ORDER_PLACED, u, 1, kPlacementNow - absl::Hours(3));
      Learn(smartshop::v1::ORDER_PLACED, u, 7, kPlacementNow - absl::Hours(2));
      Learn(smartshop::v1::ORDER_PLACED, u, 20, kPlacementNow - absl::Hours(2));
    }
    for (const char* u : {"d", "e"}) {
      Learn(smartshop::v1::VIEW_PRODUCT, u, 1, kPlacementNow - absl::Hours(2));
      Learn(smartshop::v1::VIEW_PRODUCT, u, 14, kPlacementNow - absl::Hours(1));
    }
  }

  void Learn(smartshop::v1::InteractionType type, std::string user,
             int64_t product, absl::Time at) {
    model_.Observe(PlacementEvent(type, std::move(user), product, at));
  }

  std::unique_ptr<RecommendationEngine> MakeEngine(
      EngineOptions options = {}, InteractionModel* model = nullptr,
      LlmClient* llm = nullptr) {
    if (model == nullptr) model = &model_;
    const PromptBuilder prompt = *PromptBuilder::Create({});
    return std::make_unique<RecommendationEngine>(
        &tracking_, &catalog_, &cache_,
        MakeRankerChain(llm, prompt, options, model, nullptr), options, clock_,
        nullptr, model,
        MakePlacementChains(llm, prompt, options, model, nullptr));
  }

  // The key of the one shared entry held for `placement` ("product:1"),
  // whatever its inputs' version; "" unless exactly one is held.
  std::string SharedKey(const std::string& placement) const {
    std::vector<std::string> keys = cache_.KeysStartingWith(
        absl::StrCat("ai_recommended_placement_", placement, "@"));
    return keys.size() == 1 ? keys[0] : "";
  }

  Recommendations Get(RecommendationEngine& engine,
                      const GetRecommendationsRequest& request) {
    auto answer = engine.Get(request, absl::Now() + absl::Seconds(5));
    EXPECT_TRUE(answer.ok()) << answer.status();
    return answer.ok() ? *answer : Recommendations();
  }

  absl::Status Refused(const GetRecommendationsRequest& request) {
    return MakeEngine()->Get(request, absl::Now() + absl::Seconds(5)).status();
  }

  SimulatedClock clock_{kPlacementNow};
  testing::FakeTrackingReader tracking_;
  CatalogRefresher catalog_{&tracking_, absl::Hours(1), absl::Seconds(1)};
  testing::FakeRecommendationCache cache_;
  testing::FakeLlmClient llm_;
  InteractionModel model_;
};

TEST_F(PlacementEngineTest, AProductPageIsSharedByAnonymousVisitors) {
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, ProductPage(1));
  EXPECT_EQ(r.placement(), smartshop::v1::PLACEMENT_PRODUCT);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  ASSERT_EQ(r.items_size(), 8);
  EXPECT_EQ(r.items(0).product().id(), 7);
  EXPECT_EQ(r.items(0).reason(), "Often bought with Item 1");
  EXPECT_EQ(r.items(1).product().id(), 14);
  EXPECT_EQ(r.items(1).reason(), "Customers who viewed Item 1 also viewed");
  // Then 1's category (products 2..5), then top sellers; never 1 itself,
  // never the inactive 20.
  EXPECT_EQ(r.items(2).source(), smartshop::v1::SIMILAR);
  EXPECT_EQ(r.items(2).product().category_id(), 1);
  EXPECT_THAT(ProductIds(r), Not(Contains(1)));
  EXPECT_THAT(ProductIds(r), Not(Contains(20)));
  // Anonymous: no tracking read at all, one entry for every visitor.
  EXPECT_TRUE(tracking_.requests().empty());
  EXPECT_EQ(cache_.ttl(SharedKey("product:1")), absl::Minutes(10));
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  // The caller's exclusions hold on a hit.
  GetRecommendationsRequest without_7 = ProductPage(1);
  without_7.add_exclude_product_ids(7);
  EXPECT_EQ(Get(*engine, without_7).items(0).product().id(), 14);
}

TEST_F(PlacementEngineTest, ASharedPageIsRecomputedAfterAnEventThatChangesIt) {
  auto engine = MakeEngine();
  ASSERT_EQ(Get(*engine, ProductPage(1)).items(0).product().id(), 7);
  const std::string first = SharedKey("product:1");
  ASSERT_NE(first, "");
  // Events that do not involve 1 leave its page cached.
  Learn(smartshop::v1::VIEW_PRODUCT, "f", 9, kPlacementNow);
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  // Four shoppers now buy 1 with 12: the page moves at once, under a new
  // key (the old entry goes by its TTL).
  for (const char* u : {"f", "g", "h", "i"}) {
    Learn(smartshop::v1::ORDER_PLACED, u, 1, kPlacementNow);
    Learn(smartshop::v1::ORDER_PLACED, u, 12, kPlacementNow);
  }
  const Recommendations moved = Get(*engine, ProductPage(1));
  EXPECT_FALSE(moved.cache_hit());
  EXPECT_EQ(moved.items(0).product().id(), 12);
  EXPECT_TRUE(cache_.contains(first));
  EXPECT_EQ(
      cache_.KeysStartingWith("ai_recommended_placement_product:1@").size(),
      2u);
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  // One more order of 1 grows its data by less than a tenth: kept.
  Learn(smartshop::v1::ORDER_PLACED, "j", 1, kPlacementNow);
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  // A basket moves with any of its products: 3 had no data, so its first
  // event counts.
  GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  cart.add_cart_product_ids(1);
  cart.add_cart_product_ids(3);
  Get(*engine, cart);
  EXPECT_TRUE(Get(*engine, cart).cache_hit());
  Learn(smartshop::v1::VIEW_PRODUCT, "k", 3, kPlacementNow);
  EXPECT_FALSE(Get(*engine, cart).cache_hit());
}

TEST_F(PlacementEngineTest, TheNoWaitPathNeverWaitsForALearningModel) {
  EngineOptions options;
  options.new_users_share_anonymous = true;
  auto engine = MakeEngine(options);
  Get(*engine, ProductPage(1));
  Get(*engine, GetRecommendationsRequest());  // the shared home page
  GetRecommendationsRequest new_user;
  new_user.set_user_id("no-events-yet");
  ASSERT_TRUE(engine->GetIfLocal(ProductPage(1)).has_value());
  ASSERT_TRUE(engine->GetIfLocal(new_user).has_value());  // shares it
  {
    absl::MutexLock learning(&InteractionModelTestPeer::Mutex(model_));
    // Both need the model (the key's version, whether the user is new):
    // not answered here, rather than waiting.
    EXPECT_FALSE(engine->GetIfLocal(ProductPage(1)).has_value());
    EXPECT_FALSE(engine->GetIfLocal(new_user).has_value());
    // The anonymous home page does not.
    EXPECT_TRUE(engine->GetIfLocal(GetRecommendationsRequest()).has_value());
  }
  EXPECT_TRUE(engine->GetIfLocal(ProductPage(1)).has_value());
}

TEST_F(PlacementEngineTest, ASharedPageIsRecomputedWhenItsCategoryChanges) {
  auto engine = MakeEngine();
  Get(*engine, ProductPage(1));
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  std::vector<smartshop::v1::Product> products;
  for (const auto* p : catalog_.Current()->active_by_id()) {
    products.push_back(*p);
  }
  // A sale figure moved (every order does that): still the cached page.
  products[3].set_units_sold(99);
  tracking_.SetProducts(products);
  ASSERT_TRUE(catalog_.Refresh().ok());
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  // Another category's new product: still the cached page.
  smartshop::v1::Product added = products[0];
  added.set_id(21);
  added.set_category_id(4);
  products.push_back(added);
  tracking_.SetProducts(products);
  ASSERT_TRUE(catalog_.Refresh().ok());
  EXPECT_TRUE(Get(*engine, ProductPage(1)).cache_hit());
  // A new product in 1's own category: computed again, and shown.
  added.set_id(22);
  added.set_name("Item 22");
  added.set_category_id(1);
  added.set_units_sold(1000);
  products.push_back(added);
  tracking_.SetProducts(products);
  ASSERT_TRUE(catalog_.Refresh().ok());
  const Recommendations fresh = Get(*engine, ProductPage(1));
  EXPECT_FALSE(fresh.cache_hit());
  EXPECT_THAT(ProductIds(fresh), Contains(22));
}

TEST_F(PlacementEngineTest, AShoppersOwnPageIsComputedForThemEachTime) {
  tracking_.SetInteractions({PlacementEvent(
      smartshop::v1::ORDER_PLACED, "z", 14, kPlacementNow - absl::Hours(1))});
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, ProductPage(1, "z"));
  // z ordered 14 recently: not offered again.
  EXPECT_THAT(ProductIds(r), Not(Contains(14)));
  EXPECT_EQ(r.items(0).product().id(), 7);
  EXPECT_FALSE(Get(*engine, ProductPage(1, "z")).cache_hit());
  // Nothing of z's is stored; the shared page is not z's.
  EXPECT_THAT(cache_.KeysStartingWith("ai_recommended_placement_product:1"),
              ::testing::IsEmpty());
  EXPECT_THAT(ProductIds(Get(*engine, ProductPage(1))), Contains(14));
  // z's next order counts on z's next request.
  tracking_.SetInteractions(
      {PlacementEvent(smartshop::v1::ORDER_PLACED, "z", 7, kPlacementNow),
       PlacementEvent(smartshop::v1::ORDER_PLACED, "z", 14,
                      kPlacementNow - absl::Hours(1))});
  EXPECT_THAT(ProductIds(Get(*engine, ProductPage(1, "z"))), Not(Contains(7)));
}

TEST_F(PlacementEngineTest, ACartIsCompletedAsAWholeAndKeyedByItsContents) {
  auto engine = MakeEngine();
  GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  for (int64_t id : {7, 1, 7}) cart.add_cart_product_ids(id);
  const Recommendations r = Get(*engine, cart);
  EXPECT_EQ(r.placement(), smartshop::v1::PLACEMENT_CART);
  ASSERT_EQ(r.items_size(), 8);
  EXPECT_EQ(r.items(0).product().id(), 14);
  EXPECT_THAT(ProductIds(r), Not(Contains(1)));
  EXPECT_THAT(ProductIds(r), Not(Contains(7)));
  EXPECT_NE(SharedKey("cart:1,7"), "");
  GetRecommendationsRequest same;
  same.set_placement(smartshop::v1::PLACEMENT_CART);
  for (int64_t id : {1, 7}) same.add_cart_product_ids(id);
  EXPECT_TRUE(Get(*engine, same).cache_hit());
}

TEST_F(PlacementEngineTest, RecentlyViewedIsTheShoppersOwnNewestFirst) {
  const absl::Time t = kPlacementNow - absl::Hours(1);
  // Newest first: viewed 5, ordered 9, viewed 9, viewed 5, viewed 20
  // (inactive), viewed 12.
  tracking_.SetInteractions(
      {PlacementEvent(smartshop::v1::VIEW_PRODUCT, "z", 5, t),
       PlacementEvent(smartshop::v1::ORDER_PLACED, "z", 9,
                      t - absl::Minutes(1)),
       PlacementEvent(smartshop::v1::VIEW_PRODUCT, "z", 9,
                      t - absl::Minutes(2)),
       PlacementEvent(smartshop::v1::VIEW_PRODUCT, "z", 5,
                      t - absl::Minutes(3)),
       PlacementEvent(smartshop::v1::VIEW_PRODUCT, "z", 20,
                      t - absl::Minutes(4)),
       PlacementEvent(smartshop::v1::VIEW_PRODUCT, "z", 12,
                      t - absl::Minutes(5))});
  auto engine = MakeEngine();
  GetRecommendationsRequest recent;
  recent.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  recent.set_user_id("z");
  const Recommendations r = Get(*engine, recent);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_RECENTLY_VIEWED);
  // Distinct, active, never topped up with other products.
  EXPECT_THAT(ProductIds(r), ElementsAre(5, 9, 12));
  EXPECT_EQ(r.items(0).source(), smartshop::v1::RECENTLY_VIEWED);
  EXPECT_GT(r.items(0).relevance_score(), r.items(1).relevance_score());
  recent.set_exclude_purchased(true);
  EXPECT_THAT(ProductIds(Get(*engine, recent)), ElementsAre(5, 12));
  // A visitor without a user or session has none to show.
  GetRecommendationsRequest nobody;
  nobody.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  EXPECT_THAT(Refused(nobody),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("user_id")));
}

TEST_F(PlacementEngineTest, TrendingIsRisingProductsThenTopSellers) {
  // 9 was quiet for weeks, then six shoppers in the last hours.
  Learn(smartshop::v1::VIEW_PRODUCT, "old", 9,
        kPlacementNow - absl::Hours(500));
  for (int i = 0; i < 6; ++i) {
    Learn(smartshop::v1::VIEW_PRODUCT, absl::StrCat("n", i), 9,
          kPlacementNow - absl::Minutes(i));
  }
  auto engine = MakeEngine();
  GetRecommendationsRequest trending;
  trending.set_placement(smartshop::v1::PLACEMENT_TRENDING);
  const Recommendations r = Get(*engine, trending);
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_TRENDING);
  ASSERT_EQ(r.items_size(), 8);
  EXPECT_EQ(r.items(0).product().id(), 9);
  EXPECT_EQ(r.items(0).source(), smartshop::v1::TRENDING);
  EXPECT_EQ(r.items(7).source(), smartshop::v1::GAP_FILL);
  EXPECT_EQ(cache_.ttl("ai_recommended_placement_trending:0:0"),
            absl::Minutes(5));
  // Per category and window, each its own entry.
  trending.set_category_id(2);
  trending.set_trending_window(smartshop::v1::TRENDING_WINDOW_HOUR);
  const Recommendations in_two = Get(*engine, trending);
  EXPECT_EQ(in_two.items(0).product().id(), 9);
  for (const auto& item : in_two.items()) {
    EXPECT_EQ(item.product().category_id(), 2);
  }
  EXPECT_TRUE(cache_.contains("ai_recommended_placement_trending:1:2"));
}

TEST_F(PlacementEngineTest, RefusesFieldsOfAnotherPlacement) {
  GetRecommendationsRequest r;
  r.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  EXPECT_THAT(Refused(r), testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("product_id")));
  r = ProductPage(1);
  r.set_category_id(2);
  EXPECT_THAT(Refused(r), testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("category_id")));
  r = ProductPage(1);
  r.set_trending_window(smartshop::v1::TRENDING_WINDOW_WEEK);
  EXPECT_THAT(Refused(r), testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                            HasSubstr("trending_window")));
  GetRecommendationsRequest home;
  home.set_product_id(3);
  EXPECT_THAT(Refused(home),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("product_id: only for")));
  GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  EXPECT_THAT(Refused(cart),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("cart_product_ids")));
  for (int i = 1; i <= kMaxCartProducts + 1; ++i) cart.add_cart_product_ids(i);
  EXPECT_THAT(Refused(cart),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("1 to 100")));
  cart.clear_cart_product_ids();
  cart.add_cart_product_ids(4);
  cart.add_cart_product_ids(-2);
  EXPECT_THAT(Refused(cart),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("cart_product_ids[1]")));
  GetRecommendationsRequest unknown;
  unknown.set_placement(static_cast<smartshop::v1::Placement>(99));
  EXPECT_THAT(Refused(unknown),
              testing::StatusIs(absl::StatusCode::kInvalidArgument,
                                HasSubstr("placement")));
}

TEST_F(PlacementEngineTest, AFailedShopperReadStillRanksThePage) {
  tracking_.FailWith(absl::UnavailableError("down"));
  auto engine = MakeEngine();
  const Recommendations r = Get(*engine, ProductPage(1, "z"));
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(r.items(0).product().id(), 7);
  EXPECT_THAT(r.fallback_reason(), HasSubstr("tracking: down"));
}

TEST_F(PlacementEngineTest, WithoutABuiltinModelOnlyTopSellersAreLeft) {
  auto engine = std::make_unique<RecommendationEngine>(
      &tracking_, &catalog_, &cache_,
      MakeRankerChain(nullptr, *PromptBuilder::Create({}), EngineOptions(),
                      nullptr, nullptr),
      EngineOptions(), clock_, nullptr, nullptr,
      MakePlacementChains(nullptr, *PromptBuilder::Create({}), EngineOptions(),
                          nullptr, nullptr));
  const Recommendations r = Get(*engine, ProductPage(1));
  EXPECT_EQ(r.strategy(), smartshop::v1::STRATEGY_FALLBACK);
  EXPECT_EQ(r.items_size(), 8);
  EXPECT_THAT(ProductIds(r), Not(Contains(1)));
  // Recently viewed needs no builtin model.
  tracking_.SetInteractions(
      {PlacementEvent(smartshop::v1::VIEW_PRODUCT, "z", 5, kPlacementNow)});
  GetRecommendationsRequest recent;
  recent.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  recent.set_user_id("z");
  EXPECT_THAT(ProductIds(Get(*engine, recent)), ElementsAre(5));
}

TEST_F(PlacementEngineTest, TheHybridModelReordersOnlyTheSharedAnswers) {
  llm_.Reply(R"j([{"product_id": 14, "relevance_score": 93, "reason": "Fits"},
                  {"product_id": 7, "relevance_score": 88, "reason": "Pair"}])j");
  EngineOptions options;
  options.placement_model = true;
  auto engine = MakeEngine(options, &model_, &llm_);
  const Recommendations shared = Get(*engine, ProductPage(1));
  EXPECT_EQ(shared.strategy(), smartshop::v1::STRATEGY_MODEL);
  ASSERT_GE(shared.items_size(), 2);
  EXPECT_EQ(shared.items(0).product().id(), 14);
  EXPECT_EQ(shared.items(1).product().id(), 7);
  ASSERT_EQ(llm_.requests().size(), 1u);
  const std::string prompt = llm_.requests()[0].messages[1].content;
  // Told what the page shows, and its candidates with ids.
  EXPECT_THAT(prompt, HasSubstr("Item 1 (Cat 1)"));
  EXPECT_THAT(prompt, HasSubstr(R"j("product_id":7,)j"));
  EXPECT_EQ(shared.items(0).source(), smartshop::v1::MODEL);
  // The candidates the model did not name follow in the builtin order, with
  // their builtin sources, before any top seller.
  std::vector<std::pair<int64_t, smartshop::v1::RecommendationSource>> unpicked;
  for (const PlacementItem& item :
       RankProductPage({.product_id = 1}, *catalog_.Current(), model_)) {
    if (item.product->id() != 14 && item.product->id() != 7) {
      unpicked.emplace_back(item.product->id(), item.source);
    }
  }
  ASSERT_GE(unpicked.size(), 2u);
  ASSERT_GE(shared.items_size(), 2 + static_cast<int>(unpicked.size()));
  for (size_t i = 0; i < unpicked.size(); ++i) {
    EXPECT_EQ(shared.items(2 + i).product().id(), unpicked[i].first) << i;
    EXPECT_EQ(shared.items(2 + i).source(), unpicked[i].second) << i;
  }
  // A shopper's own page: the builtin's, no model call.
  const Recommendations own = Get(*engine, ProductPage(1, "z"));
  EXPECT_EQ(own.strategy(), smartshop::v1::STRATEGY_BUILTIN);
  EXPECT_EQ(llm_.requests().size(), 1u);
}

}  // namespace
}  // namespace smartshop::recommender
