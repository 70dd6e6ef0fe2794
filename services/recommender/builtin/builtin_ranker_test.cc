// The builtin ranker on small hand-made histories where the right answer is
// obvious: bought together, newer sources first, category diversity, the
// shop's rules, and popularity for strangers.
#include "services/recommender/builtin/builtin_ranker.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/catalog_builders.h"

namespace smartshop::recommender {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

const absl::Time kDay1 = absl::FromUnixSeconds(1'700'000'000);

class BuiltinRankerTest : public ::testing::Test {
 protected:
  // Products 1..20; category = 1 + (id - 1) / 5 unless overridden.
  CatalogSnapshot Catalog(std::vector<smartshop::v1::Product> extra = {}) {
    return CatalogSnapshot(testing::FiveByCategory(std::move(extra)), kDay1);
  }
  void Buy(const std::string& user, int64_t product, absl::Time at) {
    model_.Observe(absl::StrCat("u:", user), product, Signal::kPurchase, at);
  }
  void View(const std::string& user, int64_t product, absl::Time at) {
    model_.Observe(absl::StrCat("u:", user), product, Signal::kView, at);
  }
  static std::vector<int64_t> Ids(const std::vector<RankedItem>& items) {
    std::vector<int64_t> ids;
    for (const auto& item : items) ids.push_back(item.product->id());
    return ids;
  }

  InteractionModel model_;
};

TEST_F(BuiltinRankerTest, RecommendsWhatIsOftenBoughtWithTheShoppersPurchase) {
  for (const char* user : {"a", "b", "c"}) {
    Buy(user, 1, kDay1);
    Buy(user, 7, kDay1 + absl::Minutes(1));
  }
  // Product 12 is more popular overall, but never bought with 1.
  for (const char* user : {"d", "e", "f", "g", "h"}) Buy(user, 12, kDay1);
  const CatalogSnapshot catalog = Catalog();
  RankingInput input{.own = {{1, Signal::kPurchase, kDay1 + absl::Hours(1)}}};
  const auto items = RankBuiltin(input, catalog, model_);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].product->id(), 7);
  EXPECT_EQ(items[0].reason, "Often bought with Product 1");
  EXPECT_DOUBLE_EQ(items[0].score, 99);
  EXPECT_TRUE(items[0].personal);
  EXPECT_THAT(Ids(items), Contains(12));      // trending fills in
  EXPECT_THAT(Ids(items), Not(Contains(1)));  // never the shopper's own
  for (size_t i = 1; i < items.size(); ++i) {
    EXPECT_LE(items[i].score, items[i - 1].score);
    EXPECT_GE(items[i].score, 60);
  }
}

TEST_F(BuiltinRankerTest, NewerSourcesCountMore) {
  // 2 goes with 3; 4 goes with 8: the shopper viewed 2 long ago, 4 last.
  for (const char* user : {"a", "b"}) {
    View(user, 2, kDay1);
    View(user, 3, kDay1 + absl::Minutes(1));
    View(user, 4, kDay1 + absl::Minutes(2));
    View(user, 8, kDay1 + absl::Minutes(3));
  }
  const CatalogSnapshot catalog = Catalog();
  // Sources are 4 (newest) then 2; co-occurrence alone would tie 3 and 8.
  RankingInput input{.own = {{4, Signal::kView, kDay1 + absl::Hours(1)},
                             {2, Signal::kView, kDay1}}};
  const auto items = RankBuiltin(input, catalog, model_);
  ASSERT_GE(items.size(), 2u);
  EXPECT_EQ(items[0].product->id(), 8);
  EXPECT_EQ(items[0].reason, "Often viewed with Product 4");
}

TEST_F(BuiltinRankerTest, PurchasesWeighMoreThanViews) {
  for (const char* user : {"a", "b"}) {
    View(user, 2, kDay1);
    View(user, 3, kDay1 + absl::Minutes(1));
  }
  for (const char* user : {"c", "d"}) {
    View(user, 6, kDay1);
    View(user, 11, kDay1 + absl::Minutes(1));
  }
  const CatalogSnapshot catalog = Catalog();
  // 6 was only viewed, most recently; 2 was bought just before.
  RankingInput input{.own = {{6, Signal::kView, kDay1 + absl::Hours(1)},
                             {2, Signal::kPurchase, kDay1 + absl::Hours(1)}}};
  const auto items = RankBuiltin(input, catalog, model_);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].product->id(), 3);
  EXPECT_EQ(items[0].reason, "Often bought with Product 2");
}

TEST_F(BuiltinRankerTest, KeepsTheAnswerVariedAcrossCategories) {
  // Everyone bought 1 with all of 2..5 (category 1) and with 6 (category 2).
  for (const char* user : {"a", "b", "c"}) {
    Buy(user, 1, kDay1);
    for (int64_t p : {2, 3, 4, 5}) Buy(user, p, kDay1 + absl::Minutes(p));
  }
  Buy("a", 6, kDay1 + absl::Minutes(30));
  const CatalogSnapshot catalog = Catalog();
  RankingInput input{.own = {{1, Signal::kPurchase, kDay1 + absl::Hours(1)}},
                     .count = 4};
  RankerOptions options;
  options.max_per_category = 2;
  const auto items = RankBuiltin(input, catalog, model_, options);
  ASSERT_EQ(items.size(), 4u);
  // Two of category 1, then the best of other categories, though 2..5 all
  // co-occur more strongly.
  int category_one = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (items[i].product->category_id() == 1) ++category_one;
  }
  EXPECT_EQ(category_one, 2);
  EXPECT_THAT(Ids(items), Contains(6));
}

TEST_F(BuiltinRankerTest, AppliesTheShopsRules) {
  for (const char* user : {"a", "b", "c"}) {
    Buy(user, 1, kDay1);
    for (int64_t p : {2, 3, 4, 6, 7}) Buy(user, p, kDay1 + absl::Minutes(p));
  }
  smartshop::v1::Product inactive = testing::CategorisedProduct(2, 1);
  inactive.set_is_active(false);
  const CatalogSnapshot catalog =
      Catalog({inactive, testing::CategorisedProduct(3, 1, 0),
               testing::CategorisedProduct(4, 1, 5)});
  RankingInput input{.own = {{1, Signal::kPurchase, kDay1 + absl::Hours(1)}},
                     .exclude = {6}};
  const auto ids = Ids(RankBuiltin(input, catalog, model_));
  EXPECT_THAT(ids, Not(Contains(2)));  // inactive
  EXPECT_THAT(ids, Not(Contains(3)));  // out of stock
  EXPECT_THAT(ids, Contains(4));       // in stock
  EXPECT_THAT(ids, Not(Contains(6)));  // excluded (e.g. bought recently)
  EXPECT_THAT(ids, Contains(7));
}

TEST_F(BuiltinRankerTest, CategoryFilterKeepsOnlyThatCategory) {
  for (const char* user : {"a", "b"}) {
    Buy(user, 1, kDay1);
    for (int64_t p : {2, 7, 8, 12}) Buy(user, p, kDay1 + absl::Minutes(p));
  }
  const CatalogSnapshot catalog = Catalog();
  RankingInput input{.own = {{1, Signal::kPurchase, kDay1 + absl::Hours(1)}},
                     .category_id = 2};
  const auto ids = Ids(RankBuiltin(input, catalog, model_));
  EXPECT_THAT(ids, ElementsAre(8, 7));
}

TEST_F(BuiltinRankerTest, StrangersGetWhatIsTrendingNow) {
  // 5 was popular a month ago; 9 is popular now.
  for (const char* user : {"a", "b", "c", "d"}) Buy(user, 5, kDay1);
  for (const char* user : {"e", "f"}) {
    Buy(user, 9, kDay1 + absl::Hours(24 * 30));
  }
  const CatalogSnapshot catalog = Catalog();
  const auto items = RankBuiltin(RankingInput{}, catalog, model_);
  ASSERT_EQ(Ids(items), (std::vector<int64_t>{9, 5}));
  EXPECT_EQ(items[0].reason, "Trending in Category 2");
  EXPECT_FALSE(items[0].personal);
}

TEST_F(BuiltinRankerTest, StaleShoppersSeeTrendsRatherThanOldTastes) {
  for (const char* user : {"a", "b"}) {
    Buy(user, 1, kDay1);
    Buy(user, 2, kDay1 + absl::Minutes(1));
  }
  for (const char* user : {"c", "d", "e"}) {
    Buy(user, 9, kDay1 + absl::Hours(24 * 20));
  }
  const CatalogSnapshot catalog = Catalog();
  // The shopper's last event was 20 days before the shop's newest one.
  RankingInput input{.own = {{1, Signal::kPurchase, kDay1}}};
  const auto items = RankBuiltin(input, catalog, model_);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items[0].product->id(), 9);
}

TEST_F(BuiltinRankerTest, EmptyModelAndCatalogGiveNothing) {
  const CatalogSnapshot empty({}, kDay1);
  EXPECT_THAT(RankBuiltin(RankingInput{}, empty, model_), IsEmpty());
}

}  // namespace
}  // namespace smartshop::recommender
