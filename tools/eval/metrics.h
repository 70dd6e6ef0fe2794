// How a method's lists are scored against what users went on to like, as
// pure functions: hit rate and NDCG at the list length (binary relevance),
// catalog coverage and category diversity.
#ifndef SMARTSHOP_TOOLS_EVAL_METRICS_H_
#define SMARTSHOP_TOOLS_EVAL_METRICS_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace smartshop::eval {

// Products per list, as the recommender answers.
inline constexpr int kListLength = 8;

// 1 when one of the first `k` of `list` is in `relevant` (sorted), else 0.
double HitAt(const std::vector<int64_t>& list,
             const std::vector<int64_t>& relevant, int k = kListLength);

// DCG / IDCG over the first `k`: a relevant item at position p (from 0)
// gains 1 / log2(p + 2); the ideal list has min(k, |relevant|) relevant
// items first. `relevant` is sorted; 0 when it is empty.
double NdcgAt(const std::vector<int64_t>& list,
              const std::vector<int64_t>& relevant, int k = kListLength);

// Distinct categories among the first `k` of `list` (unknown products
// count as category 0).
int DistinctCategories(const std::vector<int64_t>& list,
                       const absl::flat_hash_map<int64_t, int64_t>& category_of,
                       int k = kListLength);

struct Scores {
  int64_t users = 0;
  double hit_rate = 0;  // mean HitAt
  double ndcg = 0;      // mean NdcgAt
  // Distinct products in any list / catalog size.
  double coverage = 0;
  // Mean DistinctCategories.
  double category_diversity = 0;
};

// REQUIRES: lists.size() == relevant.size(). Means over users; all 0 when
// there are none.
Scores Score(const std::vector<std::vector<int64_t>>& lists,
             const std::vector<std::vector<int64_t>>& relevant,
             const absl::flat_hash_map<int64_t, int64_t>& category_of,
             int64_t catalog_size, int k = kListLength);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_METRICS_H_
