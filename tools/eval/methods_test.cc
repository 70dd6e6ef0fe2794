#include "tools/eval/methods.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/eval/metrics.h"
#include "tools/eval/rating_builder.h"

namespace smartshop::eval {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;

constexpr int64_t kDay = 24 * 3600;
constexpr int64_t kNow = 1'000 * kDay;

std::vector<smartshop::v1::Product> Products() {
  std::vector<smartshop::v1::Product> products;
  for (int64_t id = 1; id <= 6; ++id) {
    smartshop::v1::Product& p = products.emplace_back();
    p.set_id(id);
    p.set_name("movie " + std::to_string(id));
    p.set_category_id(id % 2 + 1);
    p.set_is_active(true);
  }
  return products;
}

// Users 2 and 3 bought 1 and 2 lately (user 2 also viewed 3); users 4 and
// 5 bought 5 forty days ago. User 1 bought 1 and is judged on 2.
class MethodsTest : public ::testing::Test {
 protected:
  MethodsTest()
      : split_(MakeSplit()),
        catalog_(TrainingCatalog(Products(), split_.train)),
        training_{.split = split_, .catalog = catalog_} {}

  static Split MakeSplit() {
    Split split;
    split.train = {R(4, 5, 5, kNow - 40 * kDay), R(5, 5, 4, kNow - 40 * kDay),
                   R(2, 1, 5, kNow - 4),         R(3, 1, 5, kNow - 4),
                   R(2, 2, 5, kNow - 3),         R(2, 3, 2, kNow - 2),
                   R(3, 2, 4, kNow - 1),         R(1, 1, 4.5, kNow)};
    EvalUser user{.user_id = 1, .cut = kNow};
    user.train = {split.train.back()};
    user.rated = {1};
    user.relevant = {2};
    split.users.push_back(user);
    return split;
  }

  std::vector<int64_t> Recommend(
      std::unique_ptr<Method> (*make)(const Training&)) {
    return make(training_)->Recommend(split_.users[0]);
  }

  const Split split_;
  const recommender::CatalogSnapshot catalog_;
  const Training training_;
};

TEST_F(MethodsTest, TrainingCatalogCountsPurchasesAsUnitsSold) {
  EXPECT_EQ(catalog_.Find(1)->units_sold(), 3);
  EXPECT_EQ(catalog_.Find(2)->units_sold(), 2);
  EXPECT_EQ(catalog_.Find(3)->units_sold(), 0);  // a view
  EXPECT_EQ(catalog_.Find(5)->units_sold(), 2);
}

TEST_F(MethodsTest, TopSellersLeaveOutWhatTheUserRated) {
  // 5 and 2 sold 2 each (ties by descending id), then the unsold.
  EXPECT_THAT(Recommend(&MakeTopSellers), ElementsAre(5, 2, 6, 4, 3));
}

TEST_F(MethodsTest, RecentTopSellersCountOnlyTheLastThirtyDays) {
  // 5's sales are older than 30 days: it comes with the gap filling.
  EXPECT_THAT(Recommend(&MakeRecentTopSellers), ElementsAre(2, 5, 6, 4, 3));
}

TEST_F(MethodsTest, AggregationRanksByPurchasesTimesThreePlusViews) {
  // 2: two purchases and two views = 8; 5: the same, but appears later
  // (newest first); 3: one view.
  EXPECT_THAT(Recommend(&MakeAggregationCounts), ElementsAre(2, 5, 3, 6, 4));
}

TEST_F(MethodsTest, BuiltinRecommendsWhatWasBoughtWithTheUsersMovie) {
  const std::vector<int64_t> list = Recommend(&MakeBuiltin);
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[0], 2);
  EXPECT_THAT(list, Not(Contains(1)));
  EXPECT_EQ(HitAt(list, split_.users[0].relevant), 1);
}

TEST(AllMethodsTest, ReportsTheFourMethodsInOrder) {
  std::vector<std::string> keys;
  for (const MethodSpec& spec : AllMethods()) keys.push_back(spec.key);
  EXPECT_THAT(keys, ElementsAre("top_sellers", "recent_top_sellers",
                                "aggregation_counts", "builtin"));
}

}  // namespace
}  // namespace smartshop::eval
