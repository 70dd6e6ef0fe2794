// An experiment's report (ExperimentService.GetExperimentReport): each
// variant's outcomes as tracking attributes them, with intervals and a
// verdict against the control (experiments/stats.h, docs/experiments.md).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENT_REPORT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENT_REPORT_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/recommender/experiments/experiment_config.h"
#include "services/recommender/insights_client.h"
#include "smartshop/v1/experiments.pb.h"

namespace smartshop::recommender {

// The longest range tracking reports at once (GetInsightsRequest): a
// longer experiment is reported over its last 92 days.
inline constexpr absl::Duration kMaxReportRange = absl::Hours(24 * 92);

// The report from the rows tracking gave, grouped by variant: every
// variant of the experiment in its order (then the holdout when it has
// one), zeros for those without rows. Pure, for tests.
smartshop::v1::ExperimentReport BuildExperimentReport(
    const smartshop::v1::Experiment& experiment,
    const smartshop::v1::GetInsightsResponse& by_variant);

// NOT_FOUND naming an unknown experiment; INVALID_ARGUMENT for a bad
// request; tracking's errors as they come (UNAVAILABLE, ...).
absl::StatusOr<smartshop::v1::ExperimentReport> ReportExperiment(
    const experiments::ExperimentSet& set, InsightsClient& insights,
    const smartshop::v1::GetExperimentReportRequest& request, absl::Time now,
    absl::Time deadline);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENT_REPORT_H_
