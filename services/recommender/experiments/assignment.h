// Which variant of an experiment a shopper sees: a stable hash of the
// shopper's key (user id, else session key) with the experiment's salt, so
// that the same shopper always gets the same variant, with no state kept.
//
// The hash: SHA-256 of salt + '\0' + key, where an empty salt is the
// experiment's name; its first 8 bytes read big-endian as a uint64, whose
// top 53 bits make u in [0, 1). u < holdout: the holdout. Otherwise
// [holdout, 1) is rescaled to [0, 1) and cut at the variants' cumulative
// weights, in their order. docs/experiments.md says what changing a weight,
// the holdout or the salt does to who sees what.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_ASSIGNMENT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_ASSIGNMENT_H_

#include <string>

#include "absl/strings/string_view.h"
#include "smartshop/v1/experiments.pb.h"

namespace smartshop::recommender::experiments {

// The variant recorded for the shoppers left out; no variant may be named
// so.
inline constexpr absl::string_view kHoldoutVariant = "holdout";

struct Assignment {
  // The variant's name, or kHoldoutVariant.
  std::string variant;
  // Its index in Experiment.variants; -1 for the holdout.
  int index = -1;

  friend bool operator==(const Assignment&, const Assignment&) = default;
};

// The shopper's point u in [0, 1) for `salt` (not defaulted here: pass the
// name for an empty salt). The same inputs give the same u on every
// machine and build.
double AssignmentPoint(absl::string_view salt, absl::string_view shopper_key);

// The shopper's variant. REQUIRES: `experiment` passed
// ValidateExperimentsConfig (weights > 0 and finite, holdout in [0, 0.5]);
// an experiment without variants assigns everyone to the holdout. An empty
// key is hashed like any other: the caller decides whether anonymous
// requests take part.
Assignment Assign(const smartshop::v1::Experiment& experiment,
                  absl::string_view shopper_key);

}  // namespace smartshop::recommender::experiments

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_ASSIGNMENT_H_
