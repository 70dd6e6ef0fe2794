// The experiments file (--experiments_file): the protobuf text format of
// ExperimentsConfig, parsed and validated with errors that name the field
// (`experiments[1].variants[0].weight: must be > 0`), and the validated
// set of experiments the request path looks up: which one runs on a
// placement now. The rules are listed in docs/experiments.md and in
// experiments.proto; the file's reading is the caller's (this is pure).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_EXPERIMENT_CONFIG_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_EXPERIMENT_CONFIG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "smartshop/v1/experiments.pb.h"
#include "smartshop/v1/placement.pb.h"

namespace smartshop::recommender::experiments {

inline constexpr int kMaxExperimentNameLength = 64;
inline constexpr int kMaxVariantNameLength = 32;
inline constexpr int kMinVariants = 2;
inline constexpr int kMaxVariants = 8;
inline constexpr double kMaxHoldout = 0.5;
inline constexpr int kMaxSaltBytes = 256;
inline constexpr absl::Duration kMinCacheTtl = absl::Seconds(1);
inline constexpr absl::Duration kMaxCacheTtl = absl::Hours(24);
inline constexpr int64_t kMinShoppersPerVariant = 100;
inline constexpr int64_t kMaxShoppersPerVariant = 100'000'000;

// OK when `config` follows every rule, else INVALID_ARGUMENT naming the
// first offending field by its path. Pure: an RPC that takes experiments
// can reuse it. Accepts shoppers_per_variant 0 (the default).
absl::Status ValidateExperimentsConfig(
    const smartshop::v1::ExperimentsConfig& config);

// Fills the defaults in place: shoppers_per_variant 0 becomes
// kDefaultShoppersPerVariant (stats.h).
void FillExperimentDefaults(smartshop::v1::ExperimentsConfig* config);

// Parses the text format, validates, fills the defaults. A syntax error
// (or an unknown field or enum name) is INVALID_ARGUMENT
// "line L, column C: <the parser's message>", 1-based. An empty text is an
// empty config (no experiments).
absl::StatusOr<smartshop::v1::ExperimentsConfig> ParseExperimentsConfig(
    absl::string_view text);

// The variant's cache lifetime; nullopt when unset (the service's).
std::optional<absl::Duration> VariantCacheTtl(
    const smartshop::v1::ExperimentVariant& variant);

// "scheduled" before start, "running" in [start, stop), "stopped" from
// stop on (ExperimentReport.state).
inline constexpr absl::string_view kStateScheduled = "scheduled";
inline constexpr absl::string_view kStateRunning = "running";
inline constexpr absl::string_view kStateStopped = "stopped";
absl::string_view ExperimentState(const smartshop::v1::Experiment& experiment,
                                  absl::Time now);

// The experiments of a validated config, immutable, looked up by placement
// and time or by name. Thread-safe (const only); copyable and movable, the
// pointers it returns live as long as it does. Swap a whole set on reload.
class ExperimentSet {
 public:
  // No experiments: Active is always nullptr.
  ExperimentSet() = default;

  // Validates and fills the defaults (so any config is safe to pass).
  static absl::StatusOr<ExperimentSet> Create(
      smartshop::v1::ExperimentsConfig config);

  // The experiment running on `placement` at `now`, nullptr when none
  // (validation makes it at most one).
  const smartshop::v1::Experiment* Active(smartshop::v1::Placement placement,
                                          absl::Time now) const;

  // The experiment named `name` whatever its state, nullptr when none.
  const smartshop::v1::Experiment* Find(absl::string_view name) const;

  // All experiments, in the file's order, defaults filled.
  const smartshop::v1::ExperimentsConfig& config() const { return config_; }

 private:
  explicit ExperimentSet(smartshop::v1::ExperimentsConfig config);

  // Indexes, not pointers, into config_, so that copies and moves are
  // safe.
  smartshop::v1::ExperimentsConfig config_;
  absl::flat_hash_map<std::string, int> by_name_;
  absl::flat_hash_map<int, std::vector<int>> by_placement_;
};

}  // namespace smartshop::recommender::experiments

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_EXPERIMENT_CONFIG_H_
