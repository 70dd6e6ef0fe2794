#include "services/recommender/experiments/experiment_config.h"

#include <cmath>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/time_util.h"
#include "services/recommender/experiments/assignment.h"
#include "services/recommender/experiments/stats.h"

namespace smartshop::recommender::experiments {
namespace {

using google::protobuf::util::TimeUtil;
using smartshop::v1::Experiment;
using smartshop::v1::ExperimentsConfig;
using smartshop::v1::ExperimentVariant;

absl::Status Invalid(absl::string_view path, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", why));
}

bool IsNameCharacter(char c) {
  return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' ||
         c == '-';
}

bool ValidName(const std::string& name, int max_length) {
  if (name.empty() || static_cast<int>(name.size()) > max_length) return false;
  for (char c : name) {
    if (!IsNameCharacter(c)) return false;
  }
  return true;
}

std::string NameRule(int max_length) {
  return absl::StrCat("must be 1 to ", max_length,
                      " characters of a-z 0-9 _ -");
}

bool ValidTimestamp(const google::protobuf::Timestamp& ts) {
  return ts.seconds() >= TimeUtil::kTimestampMinSeconds &&
         ts.seconds() <= TimeUtil::kTimestampMaxSeconds && ts.nanos() >= 0 &&
         ts.nanos() <= 999'999'999;
}

// Within [1 s, 24 h], so also a well-formed Duration (seconds and nanos of
// one sign, nanos below a second).
bool ValidCacheTtl(const google::protobuf::Duration& d) {
  if (d.nanos() < 0 || d.nanos() > 999'999'999 || d.seconds() < 0) {
    return false;
  }
  const absl::Duration ttl =
      absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
  return ttl >= kMinCacheTtl && ttl <= kMaxCacheTtl;
}

// When an experiment stops; an unset stop is never.
absl::Time StopOf(const Experiment& e) {
  return e.has_stop() ? ToTime(e.stop()) : absl::InfiniteFuture();
}

absl::Status ValidateVariant(absl::string_view path, const ExperimentVariant& v,
                             absl::flat_hash_set<std::string>& names) {
  const std::string name_path = absl::StrCat(path, ".name");
  if (!ValidName(v.name(), kMaxVariantNameLength)) {
    return Invalid(name_path, NameRule(kMaxVariantNameLength));
  }
  if (v.name() == kHoldoutVariant) {
    return Invalid(name_path,
                   "\"holdout\" is reserved for the shoppers left out");
  }
  if (!names.insert(v.name()).second) {
    return Invalid(name_path, absl::StrCat("repeats \"", v.name(), "\""));
  }
  const std::string weight_path = absl::StrCat(path, ".weight");
  if (!std::isfinite(v.weight())) return Invalid(weight_path, "must be finite");
  if (!(v.weight() > 0)) return Invalid(weight_path, "must be > 0");
  if (!smartshop::v1::VariantRanker_IsValid(v.ranker())) {
    return Invalid(absl::StrCat(path, ".ranker"),
                   absl::StrCat("unknown ranker ", v.ranker()));
  }
  if (v.has_cache_ttl() && !ValidCacheTtl(v.cache_ttl())) {
    return Invalid(absl::StrCat(path, ".cache_ttl"),
                   "must be 1s to 24h (unset = the service's)");
  }
  return absl::OkStatus();
}

absl::Status ValidatePlacements(absl::string_view path, const Experiment& e) {
  if (e.placements_size() == 0) {
    return Invalid(absl::StrCat(path, ".placements"),
                   "must name at least one placement");
  }
  absl::flat_hash_set<int> seen;
  for (int j = 0; j < e.placements_size(); ++j) {
    const int p = e.placements(j);
    const std::string placement_path =
        absl::StrCat(path, ".placements[", j, "]");
    if (!smartshop::v1::Placement_IsValid(p)) {
      return Invalid(placement_path, absl::StrCat("unknown placement ", p));
    }
    if (!seen.insert(p).second) {
      return Invalid(
          placement_path,
          absl::StrCat("repeats ", smartshop::v1::Placement_Name(p)));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSchedule(absl::string_view path, const Experiment& e) {
  const std::string start_path = absl::StrCat(path, ".start");
  if (!e.has_start()) return Invalid(start_path, "required");
  if (!ValidTimestamp(e.start())) {
    return Invalid(start_path, "not a valid timestamp");
  }
  if (e.has_stop()) {
    const std::string stop_path = absl::StrCat(path, ".stop");
    if (!ValidTimestamp(e.stop())) {
      return Invalid(stop_path, "not a valid timestamp");
    }
    if (ToTime(e.stop()) <= ToTime(e.start())) {
      return Invalid(stop_path, "must be after start (or unset)");
    }
  }
  return absl::OkStatus();
}

// The model variants rank the home page only: the other placements rank a
// shopper's own page with the builtin ranker (their model call is for the
// answers anonymous visitors share, whom no experiment assigns).
absl::Status ValidateRankerPlacements(absl::string_view path,
                                      const Experiment& e) {
  for (int p : e.placements()) {
    if (p == smartshop::v1::PLACEMENT_HOME) continue;
    for (int j = 0; j < e.variants_size(); ++j) {
      const auto ranker = e.variants(j).ranker();
      if (ranker == smartshop::v1::VARIANT_RANKER_MODEL ||
          ranker == smartshop::v1::VARIANT_RANKER_MODEL_HYBRID ||
          ranker == smartshop::v1::VARIANT_RANKER_MODEL_ROUTED ||
          ranker == smartshop::v1::VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL) {
        return Invalid(
            absl::StrCat(path, ".variants[", j, "].ranker"),
            absl::StrCat(smartshop::v1::VariantRanker_Name(ranker),
                         " ranks only PLACEMENT_HOME (the experiment also "
                         "runs on ",
                         smartshop::v1::Placement_Name(p), ")"));
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateExperiment(int i, const Experiment& e) {
  const std::string path = absl::StrCat("experiments[", i, "]");
  if (!ValidName(e.name(), kMaxExperimentNameLength)) {
    return Invalid(absl::StrCat(path, ".name"),
                   NameRule(kMaxExperimentNameLength));
  }
  if (absl::Status s = ValidatePlacements(path, e); !s.ok()) return s;
  if (e.variants_size() < kMinVariants || e.variants_size() > kMaxVariants) {
    return Invalid(
        absl::StrCat(path, ".variants"),
        absl::StrCat("must have ", kMinVariants, " to ", kMaxVariants,
                     " variants, has ", e.variants_size()));
  }
  absl::flat_hash_set<std::string> variant_names;
  for (int j = 0; j < e.variants_size(); ++j) {
    if (absl::Status s =
            ValidateVariant(absl::StrCat(path, ".variants[", j, "]"),
                            e.variants(j), variant_names);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = ValidateRankerPlacements(path, e); !s.ok()) return s;
  // Written so that NaN fails too.
  if (!(e.holdout() >= 0 && e.holdout() <= kMaxHoldout)) {
    return Invalid(absl::StrCat(path, ".holdout"),
                   absl::StrCat("must be 0 to ", kMaxHoldout));
  }
  // The NUL separates salt and key in the assignment hash.
  if (e.salt().size() > kMaxSaltBytes ||
      e.salt().find('\0') != std::string::npos) {
    return Invalid(
        absl::StrCat(path, ".salt"),
        absl::StrCat("must be at most ", kMaxSaltBytes, " bytes, without NUL"));
  }
  if (absl::Status s = ValidateSchedule(path, e); !s.ok()) return s;
  const int64_t n = e.shoppers_per_variant();
  if (n != 0 && (n < kMinShoppersPerVariant || n > kMaxShoppersPerVariant)) {
    return Invalid(
        absl::StrCat(path, ".shoppers_per_variant"),
        absl::StrCat("must be 0 (= ", kDefaultShoppersPerVariant, ") or ",
                     kMinShoppersPerVariant, " to ", kMaxShoppersPerVariant));
  }
  return absl::OkStatus();
}

// Two experiments on one placement at overlapping times: which one would a
// shopper get? REQUIRES: every experiment valid on its own.
absl::Status CheckOverlaps(const ExperimentsConfig& config) {
  for (int i = 0; i < config.experiments_size(); ++i) {
    const Experiment& later = config.experiments(i);
    for (int k = 0; k < i; ++k) {
      const Experiment& earlier = config.experiments(k);
      const bool overlap = ToTime(later.start()) < StopOf(earlier) &&
                           ToTime(earlier.start()) < StopOf(later);
      if (!overlap) continue;
      for (int j = 0; j < later.placements_size(); ++j) {
        for (int placement : earlier.placements()) {
          if (placement != later.placements(j)) continue;
          return Invalid(
              absl::StrCat("experiments[", i, "].placements[", j, "]"),
              absl::StrCat("\"", later.name(), "\" and \"", earlier.name(),
                           "\" (experiments[", k, "]) both run on ",
                           smartshop::v1::Placement_Name(placement),
                           " at overlapping times"));
        }
      }
    }
  }
  return absl::OkStatus();
}

// Keeps the first error with its position; the parser may report more
// after it, which are consequences.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!error_.empty()) return;
    error_ =
        absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

}  // namespace

absl::Status ValidateExperimentsConfig(const ExperimentsConfig& config) {
  absl::flat_hash_map<std::string, int> names;
  for (int i = 0; i < config.experiments_size(); ++i) {
    const Experiment& e = config.experiments(i);
    if (absl::Status s = ValidateExperiment(i, e); !s.ok()) return s;
    if (auto [it, inserted] = names.emplace(e.name(), i); !inserted) {
      return Invalid(absl::StrCat("experiments[", i, "].name"),
                     absl::StrCat("repeats \"", e.name(), "\" (experiments[",
                                  it->second, "])"));
    }
  }
  return CheckOverlaps(config);
}

void FillExperimentDefaults(ExperimentsConfig* config) {
  for (Experiment& e : *config->mutable_experiments()) {
    if (e.shoppers_per_variant() == 0) {
      e.set_shoppers_per_variant(kDefaultShoppersPerVariant);
    }
  }
}

absl::StatusOr<ExperimentsConfig> ParseExperimentsConfig(
    absl::string_view text) {
  ExperimentsConfig config;
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &config)) {
    return absl::InvalidArgumentError(
        errors.error().empty() ? "not the text format of ExperimentsConfig"
                               : errors.error());
  }
  if (absl::Status s = ValidateExperimentsConfig(config); !s.ok()) return s;
  FillExperimentDefaults(&config);
  return config;
}

std::optional<absl::Duration> VariantCacheTtl(
    const ExperimentVariant& variant) {
  if (!variant.has_cache_ttl()) return std::nullopt;
  return absl::Seconds(variant.cache_ttl().seconds()) +
         absl::Nanoseconds(variant.cache_ttl().nanos());
}

absl::string_view ExperimentState(const Experiment& experiment,
                                  absl::Time now) {
  if (now < ToTime(experiment.start())) return kStateScheduled;
  if (now >= StopOf(experiment)) return kStateStopped;
  return kStateRunning;
}

absl::StatusOr<ExperimentSet> ExperimentSet::Create(ExperimentsConfig config) {
  if (absl::Status s = ValidateExperimentsConfig(config); !s.ok()) return s;
  FillExperimentDefaults(&config);
  return ExperimentSet(std::move(config));
}

ExperimentSet::ExperimentSet(ExperimentsConfig config)
    : config_(std::move(config)) {
  for (int i = 0; i < config_.experiments_size(); ++i) {
    const Experiment& e = config_.experiments(i);
    by_name_.emplace(e.name(), i);
    for (int placement : e.placements()) by_placement_[placement].push_back(i);
  }
}

const Experiment* ExperimentSet::Active(smartshop::v1::Placement placement,
                                        absl::Time now) const {
  const auto it = by_placement_.find(placement);
  if (it == by_placement_.end()) return nullptr;
  for (int i : it->second) {
    const Experiment& e = config_.experiments(i);
    if (ExperimentState(e, now) == kStateRunning) return &e;
  }
  return nullptr;
}

const Experiment* ExperimentSet::Find(absl::string_view name) const {
  const auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &config_.experiments(it->second);
}

}  // namespace smartshop::recommender::experiments
