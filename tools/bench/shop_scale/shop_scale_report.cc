#include "tools/bench/shop_scale/shop_scale_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/bench/recommender/latency.h"

namespace smartshop::bench {
namespace {

using recommender::bench::LatencySummary;
using recommender::bench::Millis;

// The targets, on this 2-core machine.
constexpr double kReplayTarget = 100'000;  // events/s
constexpr double kCaughtUpTargetSeconds = 60;
constexpr double kCaughtUpTargetEvents = 5'000'000;

double PerSecond(double count, absl::Duration d) {
  const double s = absl::ToDoubleSeconds(d);
  return s > 0 ? count / s : 0;
}
double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

double ReplayRate(const ReplicaFigures& r) {
  return PerSecond(static_cast<double>(r.history_events), r.caught_up);
}

int64_t Calls(const SoakResult& s) {
  return s.calls.ok_calls + s.calls.failed_calls;
}
double HitRate(const SoakResult& s) {
  return Ratio(s.cache_hits, s.cache_hits + s.cache_misses);
}
double ModelCallsPer1000(const SoakResult& s) {
  return Ratio(s.model_calls * 1000, static_cast<double>(Calls(s)));
}

boost::json::object LatencyJson(const LatencySummary& s) {
  boost::json::object o;
  o["count"] = s.count;
  o["p50_ms"] = absl::ToDoubleMilliseconds(s.p50);
  o["p99_ms"] = absl::ToDoubleMilliseconds(s.p99);
  o["max_ms"] = absl::ToDoubleMilliseconds(s.max);
  return o;
}

const char* Verdict(bool met) { return met ? "met" : "NOT met"; }

}  // namespace

std::string FormatText(const ShopScaleReport& r) {
  const IngestFigures& in = r.ingest;
  const double copy_rate = PerSecond(in.events, in.copy_elapsed);
  const double batch_rate = PerSecond(in.events, in.track_batch_elapsed);
  std::string out = absl::StrFormat(
      "shop-scale benchmark: %d events, config %s\n\n"
      "ingest                       events/s   ratio   bytes/event\n"
      "  COPY (baseline)          %10.0f   1.000   %11.1f\n"
      "  TrackBatch (service)     %10.0f   %5.3f   %11.1f\n\n",
      in.events, boost::json::serialize(r.config), copy_rate,
      Ratio(in.copy_table_bytes, in.events), batch_rate,
      Ratio(batch_rate, copy_rate), Ratio(in.table_bytes, in.events));
  absl::StrAppend(
      &out,
      "new replica   caught up s   replay events/s   RSS MiB   "
      "peak MiB   RSS bytes/interaction   model bytes/interaction\n");
  for (const ReplicaFigures& rep : r.replicas) {
    const double rate = ReplayRate(rep);
    absl::StrAppendFormat(
        &out, "  %-10s %12.1f %17.0f %9.1f %10.1f %23.1f %25.1f\n", rep.name,
        absl::ToDoubleSeconds(rep.caught_up), rate,
        rep.resident_bytes / 1048576.0, rep.peak_resident_bytes / 1048576.0,
        Ratio(rep.resident_bytes, rep.model_events),
        Ratio(rep.model_bytes, rep.model_events));
    absl::StrAppendFormat(
        &out,
        "             replay target >= %.0f events/s: %s; at %.0f events "
        "it would take %.1f s (target <= %.0f s: %s)\n",
        kReplayTarget, Verdict(rate >= kReplayTarget), kCaughtUpTargetEvents,
        Ratio(kCaughtUpTargetEvents, rate), kCaughtUpTargetSeconds,
        Verdict(Ratio(kCaughtUpTargetEvents, rate) <= kCaughtUpTargetSeconds &&
                rate > 0));
  }
  absl::StrAppend(&out,
                  "\nsoak        calls   errors (by code)           p50 ms   "
                  "p99 ms   max ms  deadline  hit rate  model calls/1000  "
                  "live Track (failed)\n");
  for (const SoakFigures& s : r.soaks) {
    std::string errors;
    for (const auto& [code, n] : s.result.calls.failed_by_code) {
      absl::StrAppend(&errors, errors.empty() ? "" : ", ", code, " ", n);
    }
    if (errors.empty()) errors = "none";
    const LatencySummary& l = s.result.calls.all_latency;
    absl::StrAppendFormat(
        &out,
        "  %-8s %7d   %-26s %8s %8s %8s  %5.0f ms   %6.3f  %16.1f  %d (%d)\n",
        s.options.name, Calls(s.result), errors, Millis(l.p50), Millis(l.p99),
        Millis(l.max), absl::ToDoubleMilliseconds(s.options.deadline),
        HitRate(s.result), ModelCallsPer1000(s.result), s.result.live_events,
        s.result.live_failed);
  }
  return out;
}

std::string FormatJson(const ShopScaleReport& r) {
  const IngestFigures& in = r.ingest;
  boost::json::object root;
  root["config"] = r.config;
  boost::json::object ingest;
  ingest["events"] = in.events;
  ingest["copy_seconds"] = absl::ToDoubleSeconds(in.copy_elapsed);
  ingest["copy_events_per_second"] = PerSecond(in.events, in.copy_elapsed);
  ingest["track_batch_seconds"] = absl::ToDoubleSeconds(in.track_batch_elapsed);
  ingest["track_batch_events_per_second"] =
      PerSecond(in.events, in.track_batch_elapsed);
  ingest["track_batch_ratio_to_copy"] =
      Ratio(PerSecond(in.events, in.track_batch_elapsed),
            PerSecond(in.events, in.copy_elapsed));
  ingest["track_batch_refused_calls"] = in.track_batch_refused;
  ingest["copy_table_bytes"] = in.copy_table_bytes;
  ingest["copy_bytes_per_event"] = Ratio(in.copy_table_bytes, in.events);
  ingest["table_bytes"] = in.table_bytes;
  ingest["bytes_per_event"] = Ratio(in.table_bytes, in.events);
  root["ingest"] = std::move(ingest);

  boost::json::array replicas;
  for (const ReplicaFigures& rep : r.replicas) {
    const double rate = ReplayRate(rep);
    boost::json::object o;
    o["name"] = rep.name;
    o["caught_up"] = rep.caught_up > absl::ZeroDuration();
    o["caught_up_seconds"] = absl::ToDoubleSeconds(rep.caught_up);
    o["history_events"] = rep.history_events;
    o["model_events"] = rep.model_events;
    o["replay_events_per_second"] = rate;
    o["replay_target_events_per_second"] = kReplayTarget;
    o["projected_seconds_at_5m"] = Ratio(kCaughtUpTargetEvents, rate);
    o["caught_up_target_seconds_at_5m"] = kCaughtUpTargetSeconds;
    o["resident_bytes"] = rep.resident_bytes;
    o["peak_resident_bytes"] = rep.peak_resident_bytes;
    o["model_bytes"] = rep.model_bytes;
    o["resident_bytes_per_interaction"] =
        Ratio(rep.resident_bytes, rep.model_events);
    o["model_bytes_per_interaction"] = Ratio(rep.model_bytes, rep.model_events);
    replicas.push_back(std::move(o));
  }
  root["replicas"] = std::move(replicas);

  boost::json::array soaks;
  for (const SoakFigures& s : r.soaks) {
    const SoakResult& res = s.result;
    boost::json::object o;
    o["name"] = s.options.name;
    o["seconds"] = absl::ToDoubleSeconds(s.options.duration);
    o["callers"] = s.options.callers;
    o["deadline_ms"] = absl::ToDoubleMilliseconds(s.options.deadline);
    o["calls"] = Calls(res);
    o["ok_calls"] = res.calls.ok_calls;
    boost::json::object errors;
    for (const auto& [code, n] : res.calls.failed_by_code) errors[code] = n;
    o["errors_by_code"] = std::move(errors);
    o["user_calls"] = res.user_calls;
    o["session_calls"] = res.session_calls;
    o["anonymous_calls"] = res.anonymous_calls;
    o["latency"] = LatencyJson(res.calls.all_latency);
    o["cache_hits"] = res.cache_hits;
    o["cache_misses"] = res.cache_misses;
    o["cache_hit_rate"] = HitRate(res);
    o["model_calls"] = res.model_calls;
    o["model_calls_per_1000_requests"] = ModelCallsPer1000(res);
    o["live_track_events"] = res.live_events;
    o["live_track_failed"] = res.live_failed;
    soaks.push_back(std::move(o));
  }
  root["soaks"] = std::move(soaks);
  return boost::json::serialize(root);
}

}  // namespace smartshop::bench
