#include "services/recommender/experiment_report.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"
#include "services/recommender/experiments/assignment.h"
#include "services/recommender/experiments/stats.h"

namespace smartshop::recommender {
namespace {

using experiments::Proportion;
using smartshop::v1::InsightsRow;
using smartshop::v1::VariantReport;

// Shopper conversion: shoppers with an attributed cart or order among the
// variant's shoppers (the unit that was randomised).
Proportion ShopperConversion(const InsightsRow& row) {
  return {row.shoppers_converted(), row.shoppers()};
}

VariantReport Describe(const std::string& variant, const InsightsRow& row) {
  VariantReport report;
  report.set_variant(variant);
  report.set_shoppers(row.shoppers());
  report.set_served_answers(row.served_answers());
  report.set_impressed_items(row.impressed_items());
  report.set_clicks(row.clicks());
  report.set_add_to_carts(row.add_to_carts());
  report.set_orders(row.orders());
  report.set_revenue_cents(row.revenue_cents());
  experiments::FillRate({row.clicks(), row.impressed_items()},
                        report.mutable_ctr());
  experiments::FillRate({row.add_to_carts(), row.clicks()},
                        report.mutable_add_to_cart_rate());
  experiments::FillRate({row.orders(), row.clicks()},
                        report.mutable_conversion_rate());
  report.set_revenue_per_1000_impressions_cents(
      row.impressed_items() > 0
          ? 1000.0 * static_cast<double>(row.revenue_cents()) /
                static_cast<double>(row.impressed_items())
          : 0);
  report.set_model_calls(row.model_calls());
  report.set_model_cost_usd(row.model_cost_usd());
  report.set_latency_p50_ms(row.latency_p50_ms());
  report.set_latency_p99_ms(row.latency_p99_ms());
  return report;
}

}  // namespace

smartshop::v1::ExperimentReport BuildExperimentReport(
    const smartshop::v1::Experiment& experiment,
    const smartshop::v1::GetInsightsResponse& by_variant) {
  absl::flat_hash_map<std::string, const InsightsRow*> rows;
  for (const InsightsRow& row : by_variant.rows()) rows[row.key()] = &row;
  const InsightsRow none;
  auto row_of = [&](const std::string& variant) -> const InsightsRow& {
    auto it = rows.find(variant);
    return it == rows.end() ? none : *it->second;
  };
  smartshop::v1::ExperimentReport report;
  *report.mutable_experiment() = experiment;
  const InsightsRow& control = row_of(experiment.variants(0).name());
  for (int i = 0; i < experiment.variants_size(); ++i) {
    const std::string& name = experiment.variants(i).name();
    const InsightsRow& row = row_of(name);
    VariantReport variant = Describe(name, row);
    experiments::FillComparison(
        ShopperConversion(control), ShopperConversion(row),
        experiment.shoppers_per_variant(), i == 0, &variant);
    *report.add_variants() = std::move(variant);
  }
  if (experiment.holdout() > 0) {
    // Described, not judged: the holdout is not a variant of the test.
    const std::string holdout(experiments::kHoldoutVariant);
    VariantReport variant = Describe(holdout, row_of(holdout));
    experiments::FillRate(ShopperConversion(row_of(holdout)),
                          variant.mutable_shopper_conversion());
    *report.add_variants() = std::move(variant);
  }
  return report;
}

absl::StatusOr<smartshop::v1::ExperimentReport> ReportExperiment(
    const experiments::ExperimentSet& set, InsightsClient& insights,
    const smartshop::v1::GetExperimentReportRequest& request, absl::Time now,
    absl::Time deadline) {
  if (request.name().empty()) {
    return absl::InvalidArgumentError("name: required");
  }
  const smartshop::v1::Experiment* experiment = set.Find(request.name());
  if (experiment == nullptr) {
    return absl::NotFoundError(absl::StrCat("name: no experiment \"",
                                            request.name(),
                                            "\" in the experiments file"));
  }
  if (request.conversion_window_hours() < 0 ||
      request.conversion_window_hours() > 720) {
    return absl::InvalidArgumentError(
        "conversion_window_hours: must be 0 (= 24) to 720");
  }
  const absl::Time start = ToTime(experiment->start());
  absl::Time until = request.has_until() ? ToTime(request.until()) : now;
  if (experiment->has_stop())
    until = std::min(until, ToTime(experiment->stop()));
  const absl::Time since = std::max(start, until - kMaxReportRange);
  smartshop::v1::ExperimentReport report;
  if (until <= since) {
    // Not started (as of `until`): nothing to read yet.
    report = BuildExperimentReport(*experiment, {});
  } else {
    smartshop::v1::GetInsightsRequest query;
    SetTimestamp(since, query.mutable_since());
    SetTimestamp(until, query.mutable_until());
    query.set_group_by(smartshop::v1::INSIGHTS_GROUPING_VARIANT);
    query.set_experiment(experiment->name());
    query.set_all_placements(true);
    query.set_conversion_window_hours(request.conversion_window_hours());
    absl::StatusOr<smartshop::v1::GetInsightsResponse> rows =
        insights.GetInsights(query, deadline);
    if (!rows.ok()) return rows.status();
    report = BuildExperimentReport(*experiment, *rows);
  }
  SetTimestamp(since, report.mutable_since());
  SetTimestamp(std::max(since, until), report.mutable_until());
  report.set_state(std::string(experiments::ExperimentState(*experiment, now)));
  return report;
}

}  // namespace smartshop::recommender
