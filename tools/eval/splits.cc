#include "tools/eval/splits.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace smartshop::eval {
namespace {

// Each user's ratings by (timestamp, movieId), users by id.
std::map<int64_t, std::vector<Rating>> ByUser(
    const std::vector<Rating>& ratings) {
  std::map<int64_t, std::vector<Rating>> by_user;
  for (const Rating& r : ratings) by_user[r.user_id].push_back(r);
  for (auto& [_, list] : by_user) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Rating& a, const Rating& b) {
                       if (a.timestamp != b.timestamp) {
                         return a.timestamp < b.timestamp;
                       }
                       return a.movie_id < b.movie_id;
                     });
  }
  return by_user;
}

// Fills `rated` and `relevant` from the user's train and test ratings;
// false when nothing is relevant.
bool Judge(EvalUser& user, const std::vector<Rating>& test) {
  for (const Rating& r : user.train) user.rated.insert(r.movie_id);
  for (const Rating& r : test) {
    if (IsPurchase(r) && !user.rated.contains(r.movie_id)) {
      user.relevant.push_back(r.movie_id);
    }
  }
  std::sort(user.relevant.begin(), user.relevant.end());
  user.relevant.erase(std::unique(user.relevant.begin(), user.relevant.end()),
                      user.relevant.end());
  return !user.train.empty() && !user.relevant.empty();
}

void SortEvents(Split& split) {
  std::stable_sort(split.train.begin(), split.train.end(), EventOrder);
  std::stable_sort(split.test.begin(), split.test.end(), EventOrder);
}

}  // namespace

bool EventOrder(const Rating& a, const Rating& b) {
  if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
  if (a.user_id != b.user_id) return a.user_id < b.user_id;
  return a.movie_id < b.movie_id;
}

int HoldoutSize(int ratings) {
  int held = static_cast<int>(std::floor(kHoldoutFraction * ratings));
  if (ratings >= kMinRatingsForHoldout) held = std::max(held, 1);
  return held;
}

int64_t GlobalCut(std::vector<int64_t> timestamps) {
  if (timestamps.empty()) return 0;
  std::sort(timestamps.begin(), timestamps.end());
  const auto index = static_cast<size_t>(std::floor(
      kGlobalCutQuantile * static_cast<double>(timestamps.size() - 1)));
  return timestamps[index];
}

Split PerUserHoldout(const std::vector<Rating>& ratings) {
  Split split;
  for (auto& [user_id, list] : ByUser(ratings)) {
    const size_t kept =
        list.size() - HoldoutSize(static_cast<int>(list.size()));
    EvalUser user{.user_id = user_id};
    user.train.assign(list.begin(), list.begin() + kept);
    const std::vector<Rating> held_out(list.begin() + kept, list.end());
    split.train.insert(split.train.end(), user.train.begin(), user.train.end());
    split.test.insert(split.test.end(), held_out.begin(), held_out.end());
    if (!Judge(user, held_out)) continue;
    user.cut = user.train.back().timestamp;
    split.users.push_back(std::move(user));
  }
  SortEvents(split);
  return split;
}

Split GlobalTimeSplit(const std::vector<Rating>& ratings) {
  Split split;
  std::vector<int64_t> timestamps;
  timestamps.reserve(ratings.size());
  for (const Rating& r : ratings) timestamps.push_back(r.timestamp);
  split.global_cut = GlobalCut(std::move(timestamps));
  for (auto& [user_id, list] : ByUser(ratings)) {
    EvalUser user{.user_id = user_id, .cut = split.global_cut};
    std::vector<Rating> test;
    for (const Rating& r : list) {
      (r.timestamp < split.global_cut ? user.train : test).push_back(r);
    }
    split.train.insert(split.train.end(), user.train.begin(), user.train.end());
    split.test.insert(split.test.end(), test.begin(), test.end());
    if (Judge(user, test)) split.users.push_back(std::move(user));
  }
  SortEvents(split);
  return split;
}

}  // namespace smartshop::eval
