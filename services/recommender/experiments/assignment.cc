#include "services/recommender/experiments/assignment.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/stable_hash.h"

namespace smartshop::recommender::experiments {

double AssignmentPoint(absl::string_view salt, absl::string_view shopper_key) {
  // The NUL keeps ("ab", "c") and ("a", "bc") apart.
  const std::string input =
      absl::StrCat(salt, absl::string_view("\0", 1), shopper_key);
  const uint64_t bits = StableHash64(input);
  // The top 53 bits fit a double exactly, so u < 1 (bits / 2^64 would round
  // up to 1 for the largest values).
  return static_cast<double>(bits >> 11) * 0x1p-53;
}

Assignment Assign(const smartshop::v1::Experiment& experiment,
                  absl::string_view shopper_key) {
  const absl::string_view salt =
      experiment.salt().empty() ? experiment.name() : experiment.salt();
  const double u = AssignmentPoint(salt, shopper_key);
  const double holdout = experiment.holdout();
  double total = 0;
  for (const auto& variant : experiment.variants()) total += variant.weight();
  if (u < holdout || experiment.variants_size() == 0 || !(total > 0) ||
      !(holdout < 1)) {
    return {std::string(kHoldoutVariant), -1};
  }
  const double point = (u - holdout) / (1 - holdout) * total;
  double cumulative = 0;
  for (int i = 0; i < experiment.variants_size(); ++i) {
    cumulative += experiment.variants(i).weight();
    if (point < cumulative) return {experiment.variants(i).name(), i};
  }
  // Rounding can leave the point at the very top: the last variant's.
  const int last = experiment.variants_size() - 1;
  return {experiment.variants(last).name(), last};
}

}  // namespace smartshop::recommender::experiments
