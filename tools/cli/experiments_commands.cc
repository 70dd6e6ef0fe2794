// smartshop experiments list | report, and smartshop insights: what the
// recommendations did, per experiment variant or grouped one way.
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/proto_time.h"
#include "smartshop/v1/experiments.grpc.pb.h"
#include "smartshop/v1/insights.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/recommendations_view.h"
#include "tools/cli/report_view.h"
#include "tools/cli/rpc_util.h"
#include "tools/import/text_table.h"

namespace smartshop::cli {
namespace {

using import::TextTable;
constexpr auto kRight = TextTable::Align::kRight;

Peer RecommenderPeer() {
  return {"recommender service", absl::GetFlag(FLAGS_recommender)};
}
Peer TrackingPeer() {
  return {"tracking service", absl::GetFlag(FLAGS_tracking)};
}

absl::StatusOr<absl::Time> TimeFlag(const std::string& name,
                                    const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, "=", text,
                     ": not an RFC 3339 time (2026-12-01T00:00:00Z)"));
  }
  return t;
}

}  // namespace

absl::Status RunExperimentsList(const Invocation& /*invocation*/,
                                std::ostream& out) {
  const Peer peer = RecommenderPeer();
  auto stub = smartshop::v1::ExperimentService::NewStub(Connect(peer));
  smartshop::v1::ListExperimentsResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->ListExperiments(context.get(), {}, &response);
  if (!status.ok()) {
    return CallError(peer, "ExperimentService.ListExperiments", status);
  }
  out << ToJson(response);
  return absl::OkStatus();
}

absl::Status RunExperimentsReport(const Invocation& invocation,
                                  std::ostream& out) {
  smartshop::v1::GetExperimentReportRequest request;
  request.set_name(absl::GetFlag(FLAGS_name));
  if (request.name().empty()) {
    return absl::InvalidArgumentError("--name is required");
  }
  if (invocation.Given("until")) {
    absl::StatusOr<absl::Time> until =
        TimeFlag("until", absl::GetFlag(FLAGS_until));
    if (!until.ok()) return until.status();
    SetTimestamp(*until, request.mutable_until());
  }
  request.set_conversion_window_hours(absl::GetFlag(FLAGS_window_hours));
  const Peer peer = RecommenderPeer();
  auto stub = smartshop::v1::ExperimentService::NewStub(Connect(peer));
  smartshop::v1::ExperimentReport report;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->GetExperimentReport(context.get(), request, &report);
  if (!status.ok()) {
    return CallError(peer, "ExperimentService.GetExperimentReport", status);
  }
  if (absl::GetFlag(FLAGS_json)) {
    out << ToJson(report);
    return absl::OkStatus();
  }
  out << "experiment " << report.experiment().name() << " (" << report.state()
      << "), served "
      << absl::FormatTime(absl::RFC3339_sec,
                          absl::FromUnixSeconds(report.since().seconds()),
                          absl::UTCTimeZone())
      << " to "
      << absl::FormatTime(absl::RFC3339_sec,
                          absl::FromUnixSeconds(report.until().seconds()),
                          absl::UTCTimeZone())
      << "; verdict at " << report.experiment().shoppers_per_variant()
      << " shoppers per variant (two-proportion z-test on shopper "
         "conversion, p < 0.05)\n"
      << ExperimentReportTable(report);
  return absl::OkStatus();
}

absl::Status RunInsights(const Invocation& invocation, std::ostream& out) {
  smartshop::v1::GetInsightsRequest request;
  const absl::Time now = absl::Now();
  absl::Time until = now;
  absl::Time since = now - absl::Hours(24);
  if (invocation.Given("until")) {
    absl::StatusOr<absl::Time> t =
        TimeFlag("until", absl::GetFlag(FLAGS_until));
    if (!t.ok()) return t.status();
    until = *t;
  }
  if (invocation.Given("since")) {
    absl::StatusOr<absl::Time> t =
        TimeFlag("since", absl::GetFlag(FLAGS_since));
    if (!t.ok()) return t.status();
    since = *t;
  } else {
    since = until - absl::Hours(24);
  }
  SetTimestamp(since, request.mutable_since());
  SetTimestamp(until, request.mutable_until());
  const std::string group =
      absl::AsciiStrToUpper(absl::GetFlag(FLAGS_group_by));
  smartshop::v1::InsightsGrouping grouping;
  if (!smartshop::v1::InsightsGrouping_Parse(
          absl::StrCat("INSIGHTS_GROUPING_", group), &grouping)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--group_by=", absl::GetFlag(FLAGS_group_by),
                     ": one of strategy, placement, position, variant, day"));
  }
  request.set_group_by(grouping);
  request.set_experiment(absl::GetFlag(FLAGS_experiment));
  request.set_all_placements(true);
  request.set_conversion_window_hours(absl::GetFlag(FLAGS_window_hours));
  const Peer peer = TrackingPeer();
  auto stub = smartshop::v1::InsightsService::NewStub(Connect(peer));
  smartshop::v1::GetInsightsResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->GetInsights(context.get(), request, &response);
  if (!status.ok()) {
    return CallError(peer, "InsightsService.GetInsights", status);
  }
  if (absl::GetFlag(FLAGS_json)) {
    out << ToJson(response);
    return absl::OkStatus();
  }
  TextTable table({{absl::AsciiStrToLower(group)},
                   {"answers", kRight},
                   {"items", kRight},
                   {"impressions", kRight},
                   {"clicks", kRight},
                   {"CTR", kRight},
                   {"carts", kRight},
                   {"orders", kRight},
                   {"revenue", kRight},
                   {"shoppers", kRight},
                   {"model calls", kRight},
                   {"cost $", kRight},
                   {"hit rate", kRight},
                   {"p50/p99 ms", kRight}});
  for (const auto& row : response.rows()) {
    table.AddRow({row.key(), absl::StrCat(row.served_answers()),
                  absl::StrCat(row.served_items()),
                  absl::StrCat(row.impressed_items()),
                  absl::StrCat(row.clicks()),
                  row.impressed_items() > 0
                      ? Percent(static_cast<double>(row.clicks()) /
                                static_cast<double>(row.impressed_items()))
                      : "-",
                  absl::StrCat(row.add_to_carts()), absl::StrCat(row.orders()),
                  absl::StrFormat("%.2f", row.revenue_cents() / 100.0),
                  absl::StrCat(row.shoppers()), absl::StrCat(row.model_calls()),
                  absl::StrFormat("%.4f", row.model_cost_usd()),
                  row.served_answers() > 0
                      ? Percent(static_cast<double>(row.cache_hits()) /
                                static_cast<double>(row.served_answers()))
                      : "-",
                  absl::StrFormat("%.1f/%.1f", row.latency_p50_ms(),
                                  row.latency_p99_ms())});
  }
  out << table.Render();
  if (response.unknown_recommendation_ids() > 0) {
    out << response.unknown_recommendation_ids()
        << " event(s) named a recommendation id the served log does not "
           "hold\n";
  }
  return absl::OkStatus();
}

}  // namespace smartshop::cli
