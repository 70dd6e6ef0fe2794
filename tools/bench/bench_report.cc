#include "tools/bench/bench_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace smartshop::bench {
namespace {

std::string Percent(std::optional<double> ratio, absl::string_view prefix) {
  if (!ratio) return "-";
  return absl::StrFormat("%s%.1f%%", prefix, *ratio * 100);
}

// PASS/MISS against the target; "-" when there is nothing to judge.
std::optional<bool> MetTarget(const PhaseResult& result,
                              absl::Span<const PhaseResult> all) {
  const std::optional<double> ratio = RatioToCopy(result, all);
  if (!ratio || !result.target_ratio) return std::nullopt;
  return *ratio >= *result.target_ratio;
}

}  // namespace

double EventsPerSecond(const PhaseResult& result) {
  const double seconds = absl::ToDoubleSeconds(result.elapsed);
  return seconds > 0 ? static_cast<double>(result.events) / seconds : 0;
}

std::optional<double> RatioToCopy(const PhaseResult& result,
                                  absl::Span<const PhaseResult> all) {
  for (const PhaseResult& p : all) {
    if (p.phase != kCopyPhase) continue;
    const double copy = EventsPerSecond(p);
    if (copy <= 0) return std::nullopt;
    return EventsPerSecond(result) / copy;
  }
  return std::nullopt;
}

std::string FormatTable(absl::Span<const PhaseResult> phases) {
  std::string out = absl::StrFormat("%-12s %9s %8s %10s %8s %7s %6s %8s\n",
                                    "phase", "events", "seconds", "events/s",
                                    "vs COPY", "target", "result", "refused");
  for (const PhaseResult& p : phases) {
    const std::optional<bool> met = MetTarget(p, phases);
    absl::StrAppendFormat(
        &out, "%-12s %9d %8.3f %10.0f %8s %7s %6s %8d\n", p.phase, p.events,
        absl::ToDoubleSeconds(p.elapsed), EventsPerSecond(p),
        Percent(RatioToCopy(p, phases), ""), Percent(p.target_ratio, ">="),
        met ? (*met ? "PASS" : "MISS") : "-", p.refused);
  }
  return out;
}

std::string FormatJson(absl::Span<const PhaseResult> phases,
                       const boost::json::object& config) {
  boost::json::array rows;
  for (const PhaseResult& p : phases) {
    boost::json::object row;
    row["phase"] = p.phase;
    row["events"] = p.events;
    row["seconds"] = absl::ToDoubleSeconds(p.elapsed);
    row["events_per_second"] = EventsPerSecond(p);
    const std::optional<double> ratio = RatioToCopy(p, phases);
    row["ratio_vs_copy"] = ratio ? boost::json::value(*ratio) : nullptr;
    row["target_ratio"] =
        p.target_ratio ? boost::json::value(*p.target_ratio) : nullptr;
    const std::optional<bool> met = MetTarget(p, phases);
    row["met_target"] = met ? boost::json::value(*met) : nullptr;
    row["refused_calls"] = p.refused;
    rows.push_back(std::move(row));
  }
  boost::json::object root;
  root["config"] = config;
  root["phases"] = std::move(rows);
  return boost::json::serialize(root);
}

}  // namespace smartshop::bench
