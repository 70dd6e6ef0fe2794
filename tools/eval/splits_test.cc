#include "tools/eval/splits.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/eval/rating_builder.h"

namespace smartshop::eval {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Ratings of 60 users over 500 movies at random times, some users with
// fewer than 5 ratings, many ties in time.
std::vector<Rating> RandomRatings() {
  std::mt19937 random(7);
  std::vector<Rating> ratings;
  for (int64_t user = 1; user <= 60; ++user) {
    const int n = static_cast<int>(random() % 40) + 1;
    for (int i = 0; i < n; ++i) {
      ratings.push_back(R(user, random() % 500 + 1,
                          0.5 * static_cast<double>(random() % 10 + 1),
                          random() % 1000));
    }
  }
  return ratings;
}

const EvalUser* FindUser(const Split& split, int64_t user_id) {
  for (const EvalUser& user : split.users) {
    if (user.user_id == user_id) return &user;
  }
  return nullptr;
}

TEST(SplitsTest, HoldoutSizeIsAFifthAndAtLeastOneFromFiveRatings) {
  EXPECT_EQ(HoldoutSize(1), 0);
  EXPECT_EQ(HoldoutSize(4), 0);
  EXPECT_EQ(HoldoutSize(5), 1);
  EXPECT_EQ(HoldoutSize(9), 1);
  EXPECT_EQ(HoldoutSize(10), 2);
  EXPECT_EQ(HoldoutSize(14), 2);
  EXPECT_EQ(HoldoutSize(15), 3);
}

TEST(SplitsTest, GlobalCutIsTheEightiethPercentile) {
  // Sorted 1..10: index floor(0.8 * 9) = 7, the value 8.
  EXPECT_EQ(GlobalCut({10, 9, 8, 7, 6, 5, 4, 3, 2, 1}), 8);
  EXPECT_EQ(GlobalCut({42}), 42);
  EXPECT_EQ(GlobalCut({}), 0);
}

TEST(PerUserHoldoutTest, HoldsOutEachUsersLastRatings) {
  std::vector<Rating> ratings;
  // User 1: ten ratings; the last two (by time) are held out.
  for (int i = 1; i <= 8; ++i) ratings.push_back(R(1, 100 + i, 3, i));
  ratings.push_back(R(1, 110, 2, 10));  // held out, not liked
  ratings.push_back(R(1, 109, 5, 9));   // held out, liked
  // User 2: four ratings: nothing held out, all in training.
  for (int i = 1; i <= 4; ++i) ratings.push_back(R(2, 200 + i, 5, i));
  // User 3: the held-out rating re-rates a movie seen in training.
  for (int i = 1; i <= 4; ++i) ratings.push_back(R(3, 300 + i, 3, i));
  ratings.push_back(R(3, 301, 5, 9));
  // User 4: a tie in time is broken by movieId: 402 is held out.
  for (int i = 1; i <= 3; ++i) ratings.push_back(R(4, 410 + i, 3, i));
  ratings.push_back(R(4, 402, 4.5, 7));
  ratings.push_back(R(4, 401, 1, 7));

  const Split split = PerUserHoldout(ratings);
  EXPECT_EQ(split.train.size() + split.test.size(), ratings.size());
  EXPECT_EQ(split.test.size(), 2u + 1u + 1u);
  ASSERT_EQ(split.users.size(), 2u);

  const EvalUser* one = FindUser(split, 1);
  ASSERT_NE(one, nullptr);
  EXPECT_THAT(one->relevant, ElementsAre(109));
  EXPECT_EQ(one->train.size(), 8u);
  EXPECT_EQ(one->cut, 8);
  EXPECT_EQ(FindUser(split, 2), nullptr);  // nothing held out
  EXPECT_EQ(FindUser(split, 3), nullptr);  // only a movie seen in training
  const EvalUser* four = FindUser(split, 4);
  ASSERT_NE(four, nullptr);
  EXPECT_THAT(four->relevant, ElementsAre(402));
  EXPECT_TRUE(four->rated.contains(401));
  EXPECT_EQ(four->cut, 7);
}

TEST(PerUserHoldoutTest, NoHeldOutRatingLeaksIntoTraining) {
  const std::vector<Rating> ratings = RandomRatings();
  const Split split = PerUserHoldout(ratings);
  EXPECT_EQ(split.train.size() + split.test.size(), ratings.size());
  EXPECT_TRUE(
      std::is_sorted(split.train.begin(), split.train.end(), EventOrder));
  absl::flat_hash_map<int64_t, int64_t> train_max, test_min;
  absl::flat_hash_map<int64_t, absl::flat_hash_set<int64_t>> train_movies;
  for (const Rating& r : split.train) {
    train_max[r.user_id] = std::max(train_max[r.user_id], r.timestamp);
    train_movies[r.user_id].insert(r.movie_id);
  }
  for (const Rating& r : split.test) {
    auto [it, inserted] = test_min.try_emplace(r.user_id, r.timestamp);
    if (!inserted) it->second = std::min(it->second, r.timestamp);
  }
  for (const auto& [user, min_time] : test_min) {
    EXPECT_LE(train_max[user], min_time) << "user " << user;
  }
  ASSERT_FALSE(split.users.empty());
  for (const EvalUser& user : split.users) {
    EXPECT_EQ(user.cut, train_max[user.user_id]);
    EXPECT_FALSE(user.relevant.empty());
    for (int64_t movie : user.relevant) {
      EXPECT_FALSE(train_movies[user.user_id].contains(movie));
      EXPECT_FALSE(user.rated.contains(movie));
    }
    for (const Rating& r : user.train) {
      EXPECT_EQ(r.user_id, user.user_id);
      EXPECT_LE(r.timestamp, user.cut);
    }
  }
}

TEST(GlobalTimeSplitTest, TrainsOnWhatCameBeforeT) {
  std::vector<Rating> ratings;
  // Times 1..10: T = 8.
  ratings.push_back(R(1, 11, 5, 1));
  ratings.push_back(R(1, 12, 3, 2));
  ratings.push_back(R(2, 21, 5, 3));
  ratings.push_back(R(2, 22, 5, 4));
  ratings.push_back(R(3, 31, 5, 5));
  ratings.push_back(R(3, 32, 5, 6));
  ratings.push_back(R(4, 41, 5, 7));
  ratings.push_back(R(1, 13, 4, 8));   // test, liked, new: user 1 counts
  ratings.push_back(R(2, 21, 5, 9));   // test, but seen in training
  ratings.push_back(R(5, 51, 5, 10));  // test, but no training: not judged

  const Split split = GlobalTimeSplit(ratings);
  EXPECT_EQ(split.global_cut, 8);
  EXPECT_EQ(split.train.size(), 7u);
  EXPECT_EQ(split.test.size(), 3u);
  ASSERT_EQ(split.users.size(), 1u);
  EXPECT_EQ(split.users[0].user_id, 1);
  EXPECT_THAT(split.users[0].relevant, ElementsAre(13));
  EXPECT_EQ(split.users[0].cut, 8);
  EXPECT_EQ(split.users[0].train.size(), 2u);
}

TEST(GlobalTimeSplitTest, EverythingInTrainIsBeforeT) {
  const std::vector<Rating> ratings = RandomRatings();
  const Split split = GlobalTimeSplit(ratings);
  EXPECT_EQ(split.train.size() + split.test.size(), ratings.size());
  for (const Rating& r : split.train) EXPECT_LT(r.timestamp, split.global_cut);
  for (const Rating& r : split.test) EXPECT_GE(r.timestamp, split.global_cut);
  ASSERT_FALSE(split.users.empty());
  for (const EvalUser& user : split.users) {
    EXPECT_EQ(user.cut, split.global_cut);
    EXPECT_FALSE(user.train.empty());
    for (const Rating& r : user.train) EXPECT_LT(r.timestamp, split.global_cut);
    for (int64_t movie : user.relevant) {
      EXPECT_FALSE(user.rated.contains(movie));
    }
  }
}

TEST(GlobalTimeSplitTest, NoRatingsNoUsers) {
  const Split split = GlobalTimeSplit({});
  EXPECT_THAT(split.users, IsEmpty());
  EXPECT_THAT(split.train, IsEmpty());
}

}  // namespace
}  // namespace smartshop::eval
