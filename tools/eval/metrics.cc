#include "tools/eval/metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"

namespace smartshop::eval {
namespace {

size_t Prefix(const std::vector<int64_t>& list, int k) {
  return std::min(list.size(), static_cast<size_t>(std::max(k, 0)));
}

double Gain(size_t position) { return 1.0 / std::log2(position + 2.0); }

}  // namespace

double HitAt(const std::vector<int64_t>& list,
             const std::vector<int64_t>& relevant, int k) {
  for (size_t p = 0; p < Prefix(list, k); ++p) {
    if (std::binary_search(relevant.begin(), relevant.end(), list[p])) {
      return 1;
    }
  }
  return 0;
}

double NdcgAt(const std::vector<int64_t>& list,
              const std::vector<int64_t>& relevant, int k) {
  double dcg = 0;
  for (size_t p = 0; p < Prefix(list, k); ++p) {
    if (std::binary_search(relevant.begin(), relevant.end(), list[p])) {
      dcg += Gain(p);
    }
  }
  double ideal = 0;
  const size_t ideal_hits =
      std::min(relevant.size(), static_cast<size_t>(std::max(k, 0)));
  for (size_t p = 0; p < ideal_hits; ++p) ideal += Gain(p);
  return ideal > 0 ? dcg / ideal : 0;
}

int DistinctCategories(const std::vector<int64_t>& list,
                       const absl::flat_hash_map<int64_t, int64_t>& category_of,
                       int k) {
  absl::flat_hash_set<int64_t> categories;
  for (size_t p = 0; p < Prefix(list, k); ++p) {
    auto it = category_of.find(list[p]);
    categories.insert(it == category_of.end() ? 0 : it->second);
  }
  return static_cast<int>(categories.size());
}

Scores Score(const std::vector<std::vector<int64_t>>& lists,
             const std::vector<std::vector<int64_t>>& relevant,
             const absl::flat_hash_map<int64_t, int64_t>& category_of,
             int64_t catalog_size, int k) {
  Scores scores;
  scores.users = static_cast<int64_t>(lists.size());
  if (lists.empty()) return scores;
  absl::flat_hash_set<int64_t> recommended;
  for (size_t u = 0; u < lists.size(); ++u) {
    scores.hit_rate += HitAt(lists[u], relevant[u], k);
    scores.ndcg += NdcgAt(lists[u], relevant[u], k);
    scores.category_diversity += DistinctCategories(lists[u], category_of, k);
    recommended.insert(
        lists[u].begin(),
        lists[u].begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(
                               lists[u].size(), static_cast<size_t>(k))));
  }
  const double n = static_cast<double>(lists.size());
  scores.hit_rate /= n;
  scores.ndcg /= n;
  scores.category_diversity /= n;
  scores.coverage = catalog_size > 0
                        ? static_cast<double>(recommended.size()) / catalog_size
                        : 0;
  return scores;
}

}  // namespace smartshop::eval
