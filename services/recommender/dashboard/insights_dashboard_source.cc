#include "services/recommender/dashboard/insights_dashboard_source.h"

#include <utility>

#include "common/proto_time.h"
#include "services/recommender/experiment_report.h"

namespace smartshop::recommender {

InsightsDashboardSource::InsightsDashboardSource(
    InsightsClient* insights,
    std::shared_ptr<const experiments::ExperimentSet> experiments,
    std::function<int64_t()> active_products, const Clock& clock)
    : insights_(insights),
      experiments_(std::move(experiments)),
      active_products_(std::move(active_products)),
      clock_(clock) {}

absl::Duration InsightsDashboardSource::FreshFor(absl::string_view range) {
  if (range == "7d") return absl::Minutes(5);
  if (range == "30d") return absl::Minutes(15);
  return absl::Minutes(1);
}

absl::StatusOr<DashboardData> InsightsDashboardSource::Load(
    absl::string_view range, absl::Time deadline) {
  absl::StatusOr<DashboardRange> parsed = ParseDashboardRange(range);
  if (!parsed.ok()) return parsed.status();
  // Held while computing: concurrent loads of a range wait for one.
  absl::MutexLock lock(&mu_);
  auto it = kept_.find(parsed->name);
  if (it != kept_.end() &&
      clock_.Now() - it->second.computed_at < FreshFor(parsed->name)) {
    return it->second.data;
  }
  absl::StatusOr<DashboardData> data = Compute(*parsed, deadline);
  if (data.ok()) kept_[parsed->name] = {*data, clock_.Now()};
  return data;
}

absl::StatusOr<DashboardData> InsightsDashboardSource::Compute(
    const DashboardRange& range, absl::Time deadline) {
  const DashboardRange* const parsed = &range;
  const absl::Time now = clock_.Now();
  DashboardData data;
  data.range = parsed->name;
  data.until = now;
  data.since = now - parsed->length;
  const std::pair<v1::InsightsGrouping, v1::GetInsightsResponse*> groupings[] =
      {{v1::INSIGHTS_GROUPING_PLACEMENT, &data.by_placement},
       {v1::INSIGHTS_GROUPING_STRATEGY, &data.by_strategy},
       {v1::INSIGHTS_GROUPING_DAY, &data.by_day},
       {v1::INSIGHTS_GROUPING_POSITION, &data.by_position}};
  for (const auto& [grouping, out] : groupings) {
    v1::GetInsightsRequest request;
    SetTimestamp(data.since, request.mutable_since());
    SetTimestamp(data.until, request.mutable_until());
    request.set_group_by(grouping);
    request.set_all_placements(true);
    absl::StatusOr<v1::GetInsightsResponse> response =
        insights_->GetInsights(request, deadline);
    if (!response.ok()) return response.status();
    *out = *std::move(response);
  }
  if (experiments_ != nullptr) {
    for (const v1::Experiment& experiment :
         experiments_->config().experiments()) {
      if (experiments::ExperimentState(experiment, now) !=
          experiments::kStateRunning) {
        continue;
      }
      v1::GetExperimentReportRequest request;
      request.set_name(experiment.name());
      absl::StatusOr<v1::ExperimentReport> report =
          ReportExperiment(*experiments_, *insights_, request, now, deadline);
      if (!report.ok()) return report.status();
      data.experiments.push_back(*std::move(report));
    }
  }
  data.catalog_active_products = active_products_ ? active_products_() : 0;
  return data;
}

}  // namespace smartshop::recommender
