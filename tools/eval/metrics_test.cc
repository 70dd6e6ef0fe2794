#include "tools/eval/metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::eval {
namespace {

// Hits at positions 1 and 4 (from 0) of 8, three relevant items:
//   DCG  = 1/log2(3) + 1/log2(6)          = 0.630930 + 0.386853 = 1.017783
//   IDCG = 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.630930 + 0.5 = 2.130930
//   NDCG = 1.017783 / 2.130930 = 0.477624
const std::vector<int64_t> kList = {10, 20, 30, 40, 50, 60, 70, 80};
const std::vector<int64_t> kRelevant = {20, 50, 99};

TEST(MetricsTest, HitAndNdcgOfAHandComputedList) {
  EXPECT_EQ(HitAt(kList, kRelevant), 1);
  EXPECT_NEAR(NdcgAt(kList, kRelevant), 0.477624, 1e-6);
}

TEST(MetricsTest, NoHitScoresZero) {
  EXPECT_EQ(HitAt({1, 2, 3}, {4}), 0);
  EXPECT_EQ(NdcgAt({1, 2, 3}, {4}), 0);
  EXPECT_EQ(NdcgAt({1, 2, 3}, {}), 0);
}

TEST(MetricsTest, OnlyTheFirstKCount) {
  const std::vector<int64_t> nine = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(HitAt(nine, {9}), 0);
  EXPECT_EQ(NdcgAt(nine, {9}), 0);
  EXPECT_EQ(HitAt(nine, {9}, 9), 1);
}

TEST(MetricsTest, IdealListHasAtMostKRelevantItems) {
  // All 8 places relevant out of 10 relevant items: a perfect list.
  const std::vector<int64_t> relevant = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_DOUBLE_EQ(NdcgAt({1, 2, 3, 4, 5, 6, 7, 8}, relevant), 1.0);
  // One relevant item, first: perfect as well.
  EXPECT_DOUBLE_EQ(NdcgAt({7, 1, 2}, {7}), 1.0);
  // The same item third: 1/log2(4) = 0.5.
  EXPECT_DOUBLE_EQ(NdcgAt({1, 2, 7}, {7}), 0.5);
}

TEST(MetricsTest, DistinctCategoriesCountsUnknownProductsAsZero) {
  const absl::flat_hash_map<int64_t, int64_t> category_of = {
      {1, 5}, {2, 5}, {3, 6}};
  EXPECT_EQ(DistinctCategories({1, 2}, category_of), 1);
  EXPECT_EQ(DistinctCategories({1, 2, 3, 42}, category_of), 3);
  EXPECT_EQ(DistinctCategories({}, category_of), 0);
}

TEST(MetricsTest, ScoreAveragesOverUsers) {
  absl::flat_hash_map<int64_t, int64_t> category_of;
  for (int64_t id : {10, 20, 30, 40}) category_of[id] = 1;
  for (int64_t id : {50, 60, 70, 80}) category_of[id] = 2;
  category_of[1] = 3;
  category_of[2] = 4;  // 3 is unknown: category 0
  const Scores scores = Score(
      /*lists=*/{kList, {1, 2, 3}, {20, 1}},
      /*relevant=*/{kRelevant, {4}, {20}}, category_of,
      /*catalog_size=*/100);
  EXPECT_EQ(scores.users, 3);
  // Hits: 1, 0, 1.
  EXPECT_NEAR(scores.hit_rate, 2.0 / 3, 1e-9);
  // NDCG: 0.477624, 0, 1.
  EXPECT_NEAR(scores.ndcg, (0.477624 + 0 + 1) / 3, 1e-6);
  // 10..80, 1, 2, 3: 11 distinct of 100.
  EXPECT_NEAR(scores.coverage, 0.11, 1e-9);
  // Categories: {1, 2}, {3, 4, 0}, {1, 3}.
  EXPECT_NEAR(scores.category_diversity, 7.0 / 3, 1e-9);
}

TEST(MetricsTest, ScoreOfNoUsersIsZero) {
  const Scores scores = Score({}, {}, {}, 100);
  EXPECT_EQ(scores.users, 0);
  EXPECT_EQ(scores.hit_rate, 0);
  EXPECT_EQ(scores.coverage, 0);
}

}  // namespace
}  // namespace smartshop::eval
