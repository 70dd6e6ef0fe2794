// How the ratings are split into what the methods learn from (train) and
// what they are judged on (test), as pure functions. Two protocols:
//
// Per-user temporal hold-out (protocol 2): each user's ratings sorted by
// (timestamp, movieId); the last floor(0.2 n) are held out (at least 1 when
// n >= 5). Train is every other rating of every user, so other users' later
// ratings are in it: a leak of the future that favours methods which learn
// from others. Recommendations are made at the user's cut, their last
// training timestamp.
//
// Global time split (protocol 1): T = the 80th percentile of all timestamps
// (ts[floor(0.8 (N - 1))] in sorted order); train = ratings before T, test =
// the rest. No leak; everyone is judged at T.
//
// Either way a user is evaluated on the movies they rated >= 4 in test and
// had not rated in train (relevant), and only when there is one.
#ifndef SMARTSHOP_TOOLS_EVAL_SPLITS_H_
#define SMARTSHOP_TOOLS_EVAL_SPLITS_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "tools/eval/dataset.h"

namespace smartshop::eval {

inline constexpr double kHoldoutFraction = 0.2;
inline constexpr int kMinRatingsForHoldout = 5;
inline constexpr double kGlobalCutQuantile = 0.8;

struct EvalUser {
  int64_t user_id = 0;
  // This user's training ratings, by (timestamp, movieId).
  std::vector<Rating> train = {};
  // The movies in `train`: never recommended to this user.
  absl::flat_hash_set<int64_t> rated = {};
  // Held-out movies rated >= 4 and not in `rated`; sorted, distinct,
  // never empty.
  std::vector<int64_t> relevant = {};
  // When the recommendations are made (Unix seconds).
  int64_t cut = 0;
};

struct Split {
  // Everyone's training ratings in event order (see EventOrder).
  std::vector<Rating> train;
  // The other ratings, in event order.
  std::vector<Rating> test;
  // The evaluated users, by user id.
  std::vector<EvalUser> users;
  // T for the global time split; 0 for the per-user hold-out.
  int64_t global_cut = 0;
};

// The order events happen in: by timestamp, then userId, then movieId.
bool EventOrder(const Rating& a, const Rating& b);

// floor(kHoldoutFraction * n), at least 1 when n >= kMinRatingsForHoldout.
int HoldoutSize(int ratings);

// ts[floor(kGlobalCutQuantile * (N - 1))] of the sorted timestamps; 0 when
// there are none.
int64_t GlobalCut(std::vector<int64_t> timestamps);

Split PerUserHoldout(const std::vector<Rating>& ratings);
Split GlobalTimeSplit(const std::vector<Rating>& ratings);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_SPLITS_H_
