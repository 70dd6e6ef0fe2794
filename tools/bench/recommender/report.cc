#include "tools/bench/recommender/report.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/json.hpp"

namespace smartshop::recommender::bench {
namespace {

// Each phase's best round by req/s: noise on a shared machine only ever
// slows a phase down, so the best round is the closest to its real speed.
struct Headline {
  const HitPhaseResult* health = nullptr;
  const HitPhaseResult* hit = nullptr;
  const HitPhaseResult* sync_empty = nullptr;  // when run
  double ratio = 0;
  bool ratio_pass = false;
  bool p99_pass = false;
};

Headline Best(const HitRun& run, const Targets& targets) {
  Headline h;
  for (const HitPhaseResult& phase : run.phases) {
    const HitPhaseResult*& best = phase.phase == kHitPhase      ? h.hit
                                  : phase.phase == kHealthPhase ? h.health
                                                                : h.sync_empty;
    if (best == nullptr ||
        CallsPerSecond(phase.loop) > CallsPerSecond(best->loop)) {
      best = &phase;
    }
  }
  if (h.hit == nullptr || h.health == nullptr) return h;
  const double health_rps = CallsPerSecond(h.health->loop);
  h.ratio = health_rps > 0 ? CallsPerSecond(h.hit->loop) / health_rps : 0;
  h.ratio_pass = h.ratio >= targets.hit_ratio;
  h.p99_pass = h.hit->loop.latency.count > 0 &&
               h.hit->loop.latency.p99 <= targets.hit_p99;
  return h;
}

const char* Mark(bool pass) { return pass ? "PASS" : "MISS"; }

// Microseconds of CPU per OK call; 0 without calls.
double MicrosPerCall(absl::Duration cpu, int64_t calls) {
  return calls > 0 ? absl::ToDoubleMicroseconds(cpu) / calls : 0;
}

std::string HitText(const HitOptions& o, const HitRun& run,
                    const Targets& targets) {
  std::string out = absl::StrCat(
      "== Cache-hit GetRecommendations vs grpc.health.v1.Health/Check, same "
      "server, same run ==\n",
      "server: RecommenderServiceImpl in process (GetRecommendations on "
      "the callback API, ",
      o.server_threads, " blocking threads; local cache ",
      absl::FormatDuration(o.local_cache_ttl), ") on 127.0.0.1; Redis ",
      run.redis_address, " (pool ", o.redis_pool_size, "); ", o.products,
      " products; ", o.users, " users warmed in ",
      absl::FormatDuration(absl::Trunc(run.warm_time, absl::Milliseconds(1))),
      "; cached answer ", run.cached_value_bytes, " bytes\n",
      "load: ", o.in_flight, " calls in flight ",
      o.callback_client ? "from gRPC's callback client"
                        : "from as many blocked threads",
      " over ", o.channels, " channels, deadline ",
      absl::FormatDuration(o.rpc_timeout), " each; per phase ",
      absl::FormatDuration(o.warmup), " warm-up + ",
      absl::FormatDuration(o.duration), " measured\n", "method: ", o.rounds,
      " rounds; odd rounds run ", kHealthPhase, ", ", kHitPhase,
      o.sync_baseline ? absl::StrCat(", ", kSyncEmptyPhase) : "",
      ", even rounds the reverse (ABBA); headline = each phase's best round "
      "by req/s\n",
      o.sync_baseline
          ? absl::StrCat(kSyncEmptyPhase,
                         " (diagnostic): InvalidateRecommendations without a "
                         "target, INVALID_ARGUMENT at once: the edge policy "
                         "and an empty handler on the sync API "
                         "(GetRecommendations and health are on gRPC's "
                         "callback API)\n")
          : "",
      "\n");
  absl::StrAppendFormat(&out, "%-7s %5s %10s %8s %8s %8s %8s %7s %9s %9s\n",
                        "phase", "round", "req/s", "p50 ms", "p90 ms", "p99 ms",
                        "max ms", "failed", "cpu us/c", "redis us/c");
  for (const HitPhaseResult& p : run.phases) {
    const LatencySummary& l = p.loop.latency;
    absl::StrAppendFormat(
        &out, "%-7s %5d %10.0f %8s %8s %8s %8s %7d %9.1f %9s\n", p.phase,
        p.round, CallsPerSecond(p.loop), Millis(l.p50), Millis(l.p90),
        Millis(l.p99), Millis(l.max), p.loop.failed_calls,
        MicrosPerCall(p.loop.cpu, p.loop.ok_calls),
        p.redis_cpu ? absl::StrFormat(
                          "%.1f", MicrosPerCall(*p.redis_cpu, p.loop.ok_calls))
                    : "-");
  }
  absl::StrAppend(&out,
                  "(cpu us/c: CPU of this process, clients and server "
                  "together, per OK call; redis us/c: Redis's CPU per OK "
                  "call)\n");
  for (const HitPhaseResult& p : run.phases) {
    if (p.loop.failed_calls > 0) {
      absl::StrAppend(&out, "first failure (", p.phase, " round ", p.round,
                      "): ", p.loop.first_error, "\n");
    }
  }
  const Headline h = Best(run, targets);
  if (h.hit == nullptr || h.health == nullptr) return out;
  absl::StrAppendFormat(
      &out,
      "\nheadline: hit %.0f req/s (round %d) / health %.0f req/s (round %d) "
      "= %.1f %% (target >= %.0f %%)  %s\n",
      CallsPerSecond(h.hit->loop), h.hit->round, CallsPerSecond(h.health->loop),
      h.health->round, 100 * h.ratio, 100 * targets.hit_ratio,
      Mark(h.ratio_pass));
  absl::StrAppendFormat(
      &out, "          hit p99 %s ms at %d in flight (target <= %s ms)  %s\n",
      Millis(h.hit->loop.latency.p99), o.in_flight, Millis(targets.hit_p99),
      Mark(h.p99_pass));
  // At a fixed number in flight, latency is in_flight / throughput: the
  // baseline's p99 says what this machine allows at all.
  absl::StrAppendFormat(&out, "          (baseline: health p99 %s ms)\n",
                        Millis(h.health->loop.latency.p99));
  if (h.sync_empty != nullptr) {
    const double sync_rps = CallsPerSecond(h.sync_empty->loop);
    absl::StrAppendFormat(
        &out,
        "diagnostic: %s %.0f req/s = %.1f %% of health; hit = %.1f %% of "
        "%s (p99 %s ms)\n",
        kSyncEmptyPhase, sync_rps,
        100 * sync_rps / CallsPerSecond(h.health->loop),
        sync_rps > 0 ? 100 * CallsPerSecond(h.hit->loop) / sync_rps : 0.0,
        kSyncEmptyPhase, Millis(h.sync_empty->loop.latency.p99));
  }
  return out;
}

std::string MissText(const MissOptions& o, const MissRun& run,
                     const Targets& targets) {
  const bool pass = run.engine.count > 0 && run.engine.p50 <= targets.miss_p50;
  std::string out = absl::StrCat(
      "== Cache miss with the model answering at once: the service's own "
      "time ==\n",
      "RecommendationEngine::Get for ", run.engine.count, " new users (after ",
      o.warmup_calls, " warm-up calls), one thread, in-memory cache; ",
      o.products, " products; ", run.interactions,
      " interactions (50 own + 50 others) -> ", run.summary_products,
      " summary products; prompt ", run.prompt_chars,
      " chars; reply of 8 "
      "picks -> ",
      run.model_items, " matched, ", run.unmatched, " unmatched, ",
      run.duplicates, " duplicate, ", run.gap_fill_items, " gap-filled\n\n");
  absl::StrAppendFormat(&out, "%-34s %8s %8s %8s %8s\n", "", "p50 ms", "p90 ms",
                        "p99 ms", "mean ms");
  absl::StrAppendFormat(&out, "%-34s %8s %8s %8s %8s\n",
                        "engine Get (whole miss)", Millis(run.engine.p50),
                        Millis(run.engine.p90), Millis(run.engine.p99),
                        Millis(run.engine.mean));
  absl::StrAppend(&out, "breakdown, same inputs timed separately:\n");
  absl::Duration service_p50;
  for (const StageResult& s : run.stages) {
    absl::StrAppendFormat(&out, "  %-32s %8s %8s %8s %8s\n", s.stage,
                          Millis(s.latency.p50), Millis(s.latency.p90),
                          Millis(s.latency.p99), Millis(s.latency.mean));
    if (!s.fake) service_p50 += s.latency.p50;
  }
  absl::StrAppendFormat(
      &out,
      "  (sum of the service's stages at p50: %s ms; the rest of the "
      "engine's time is fakes, single-flight, locks and copies)\n",
      Millis(service_p50));
  absl::StrAppendFormat(
      &out, "\nheadline: miss p50 %s ms (target <= %s ms)  %s\n",
      Millis(run.engine.p50), Millis(targets.miss_p50), Mark(pass));
  return out;
}

boost::json::object HitJson(const HitOptions& o, const HitRun& run,
                            const Targets& targets) {
  boost::json::object out;
  boost::json::object config;
  config["redis"] = run.redis_address;
  config["redis_pool_size"] = o.redis_pool_size;
  config["server_threads"] = o.server_threads;
  config["products"] = o.products;
  config["users"] = o.users;
  config["in_flight"] = o.in_flight;
  config["callback_client"] = o.callback_client;
  config["channels"] = o.channels;
  config["rounds"] = o.rounds;
  config["order"] = "odd rounds in phase order, even rounds reversed (ABBA)";
  config["sync_baseline"] = o.sync_baseline;
  config["warmup_s"] = absl::ToDoubleSeconds(o.warmup);
  config["duration_s"] = absl::ToDoubleSeconds(o.duration);
  config["rpc_timeout_s"] = absl::ToDoubleSeconds(o.rpc_timeout);
  config["cached_value_bytes"] = run.cached_value_bytes;
  out["config"] = std::move(config);
  boost::json::array phases;
  for (const HitPhaseResult& p : run.phases) {
    boost::json::object j;
    j["phase"] = p.phase;
    j["round"] = p.round;
    j["requests_per_s"] = CallsPerSecond(p.loop);
    j["ok_calls"] = p.loop.ok_calls;
    j["failed_calls"] = p.loop.failed_calls;
    if (!p.loop.first_error.empty()) j["first_error"] = p.loop.first_error;
    j["latency"] = ToJson(p.loop.latency);
    j["process_cpu_us_per_call"] = MicrosPerCall(p.loop.cpu, p.loop.ok_calls);
    if (p.redis_cpu) {
      j["redis_cpu_us_per_call"] = MicrosPerCall(*p.redis_cpu, p.loop.ok_calls);
    }
    phases.push_back(std::move(j));
  }
  out["phases"] = std::move(phases);
  const Headline h = Best(run, targets);
  if (h.hit != nullptr && h.health != nullptr) {
    boost::json::object headline;
    headline["method"] = "each phase's best round by requests/s";
    headline["hit_requests_per_s"] = CallsPerSecond(h.hit->loop);
    headline["health_requests_per_s"] = CallsPerSecond(h.health->loop);
    headline["ratio"] = h.ratio;
    headline["ratio_target"] = targets.hit_ratio;
    headline["ratio_pass"] = h.ratio_pass;
    headline["hit_p99_ms"] =
        absl::ToDoubleMilliseconds(h.hit->loop.latency.p99);
    headline["hit_p99_target_ms"] = absl::ToDoubleMilliseconds(targets.hit_p99);
    headline["hit_p99_pass"] = h.p99_pass;
    headline["health_p99_ms"] =
        absl::ToDoubleMilliseconds(h.health->loop.latency.p99);
    if (h.sync_empty != nullptr) {
      headline["sync_empty_requests_per_s"] =
          CallsPerSecond(h.sync_empty->loop);
      headline["sync_empty_p99_ms"] =
          absl::ToDoubleMilliseconds(h.sync_empty->loop.latency.p99);
    }
    out["headline"] = std::move(headline);
  }
  return out;
}

boost::json::object MissJson(const MissOptions& o, const MissRun& run,
                             const Targets& targets) {
  boost::json::object out;
  boost::json::object config;
  config["products"] = o.products;
  config["warmup_calls"] = o.warmup_calls;
  config["interactions"] = run.interactions;
  config["summary_products"] = run.summary_products;
  config["prompt_chars"] = run.prompt_chars;
  config["model_items"] = run.model_items;
  config["gap_fill_items"] = run.gap_fill_items;
  config["unmatched"] = run.unmatched;
  config["duplicates"] = run.duplicates;
  out["config"] = std::move(config);
  out["engine"] = ToJson(run.engine);
  boost::json::array stages;
  for (const StageResult& s : run.stages) {
    boost::json::object j;
    j["stage"] = s.stage;
    j["fake"] = s.fake;
    j["latency"] = ToJson(s.latency);
    stages.push_back(std::move(j));
  }
  out["stages"] = std::move(stages);
  out["p50_target_ms"] = absl::ToDoubleMilliseconds(targets.miss_p50);
  out["p50_pass"] = run.engine.count > 0 && run.engine.p50 <= targets.miss_p50;
  return out;
}

}  // namespace

std::string FormatText(const Report& report) {
  std::string out =
      absl::StrCat("recommender_bench on ", std::thread::hardware_concurrency(),
                   " CPUs (clients, server and Redis share them)\n\n");
  if (report.hit != nullptr) {
    absl::StrAppend(&out,
                    HitText(*report.hit_options, *report.hit, report.targets));
  }
  if (report.hit != nullptr && report.miss != nullptr) out += "\n";
  if (report.miss != nullptr) {
    absl::StrAppend(
        &out, MissText(*report.miss_options, *report.miss, report.targets));
  }
  return out;
}

std::string FormatJson(const Report& report) {
  boost::json::object out;
  out["cpus"] = std::thread::hardware_concurrency();
  if (report.hit != nullptr) {
    out["hit"] = HitJson(*report.hit_options, *report.hit, report.targets);
  }
  if (report.miss != nullptr) {
    out["miss"] = MissJson(*report.miss_options, *report.miss, report.targets);
  }
  return boost::json::serialize(out);
}

}  // namespace smartshop::recommender::bench
