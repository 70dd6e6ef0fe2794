// recommender_bench: the recommender's cache-hit throughput and latency as a
// fraction of an empty unary RPC on the same server in the same run, and
// the service's own time for a cache miss with a model that answers at
// once. A benchmark, not a test: a missed target is reported, not failed.
// run_recommender_bench.sh runs it against a private Redis.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/env_flags.h"
#include "tools/bench/recommender/hit_bench.h"
#include "tools/bench/recommender/miss_bench.h"
#include "tools/bench/recommender/report.h"

ABSL_FLAG(std::string, redis_url, "",
          "Redis for the hit phase, redis://host:port[/db] (env REDIS_URL); "
          "keys go under a prefix of their own and are removed after");
ABSL_FLAG(std::string, phases, "hit,miss", "what to run: hit, miss or both");
ABSL_FLAG(int, in_flight, 32, "hit phase: concurrent calls");
ABSL_FLAG(int, channels, 4, "hit phase: client channels (connections)");
ABSL_FLAG(bool, callback_client, false,
          "hit phase: keep the calls in flight with gRPC's callback client "
          "(more calls/s, longer tail) instead of one blocked thread each");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(5),
          "hit phase: measured time of each health or hit phase");
ABSL_FLAG(absl::Duration, warmup, absl::Milliseconds(500),
          "hit phase: unmeasured load before each phase");
ABSL_FLAG(int, rounds, 2, "hit phase: rounds of health + hit, ABBA order");
ABSL_FLAG(bool, sync_baseline, true,
          "hit phase: also time an empty call on the sync API (diagnostic)");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(1),
          "hit phase: deadline of every call");
ABSL_FLAG(int, users, 1000, "hit phase: users cached and requested");
ABSL_FLAG(int, products, 2000, "hit phase: catalog size");
ABSL_FLAG(int, server_threads, 64, "hit phase: server thread limit");
ABSL_FLAG(int, redis_pool_size, 8, "hit phase: Redis connections");
ABSL_FLAG(absl::Duration, local_cache_ttl,
          smartshop::recommender::LocalCacheOptions().ttl,
          "hit phase: the in-process cache's TTL (the service's default); 0 "
          "= every hit asks Redis");
ABSL_FLAG(int, miss_products, 10'000, "miss phase: catalog size");
ABSL_FLAG(int, miss_calls, 2000, "miss phase: measured calls");
ABSL_FLAG(absl::Duration, miss_max_time, absl::Seconds(10),
          "miss phase: stop measuring after this long");
ABSL_FLAG(double, hit_ratio_target, 0.60,
          "least hit req/s as a fraction of health req/s");
ABSL_FLAG(absl::Duration, hit_p99_target, absl::Milliseconds(2),
          "largest hit p99");
ABSL_FLAG(absl::Duration, miss_p50_target, absl::Milliseconds(5),
          "largest miss p50 (the service's own time)");
ABSL_FLAG(uint64_t, seed, 42, "seed of the synthetic shop");
ABSL_FLAG(bool, json, false, "print one JSON object instead of the table");

namespace smartshop::recommender::bench {
namespace {

constexpr FlagEnv kFlagEnv[] = {{"redis_url", "REDIS_URL"}};

// Bounds that keep a run short on a shared machine and its figures sane.
absl::Status CheckRange(absl::string_view flag, int64_t value, int64_t low,
                        int64_t high) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", value, " must be ", low, " to ", high));
  }
  return absl::OkStatus();
}

absl::Status CheckDuration(absl::string_view flag, absl::Duration value,
                           absl::Duration low, absl::Duration high) {
  if (value < low || value > high) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", flag, "=", absl::FormatDuration(value), " must be ",
        absl::FormatDuration(low), " to ", absl::FormatDuration(high)));
  }
  return absl::OkStatus();
}

struct Config {
  bool hit = false;
  bool miss = false;
  HitOptions hit_options;
  MissOptions miss_options;
  Targets targets;
};

absl::StatusOr<Config> LoadConfig() {
  Config c;
  for (absl::string_view phase :
       absl::StrSplit(absl::GetFlag(FLAGS_phases), ',', absl::SkipEmpty())) {
    if (phase == "hit") {
      c.hit = true;
    } else if (phase == "miss") {
      c.miss = true;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--phases: unknown phase \"", phase, "\" (hit, miss)"));
    }
  }
  if (!c.hit && !c.miss) {
    return absl::InvalidArgumentError("--phases names no phase");
  }
  HitOptions& h = c.hit_options;
  h.redis_url = absl::GetFlag(FLAGS_redis_url);
  h.in_flight = absl::GetFlag(FLAGS_in_flight);
  h.channels = absl::GetFlag(FLAGS_channels);
  h.callback_client = absl::GetFlag(FLAGS_callback_client);
  h.duration = absl::GetFlag(FLAGS_duration);
  h.warmup = absl::GetFlag(FLAGS_warmup);
  h.rounds = absl::GetFlag(FLAGS_rounds);
  h.sync_baseline = absl::GetFlag(FLAGS_sync_baseline);
  h.rpc_timeout = absl::GetFlag(FLAGS_rpc_timeout);
  h.users = absl::GetFlag(FLAGS_users);
  h.products = absl::GetFlag(FLAGS_products);
  h.server_threads = absl::GetFlag(FLAGS_server_threads);
  h.redis_pool_size = absl::GetFlag(FLAGS_redis_pool_size);
  h.local_cache_ttl = absl::GetFlag(FLAGS_local_cache_ttl);
  h.seed = absl::GetFlag(FLAGS_seed);
  MissOptions& m = c.miss_options;
  m.products = absl::GetFlag(FLAGS_miss_products);
  m.calls = absl::GetFlag(FLAGS_miss_calls);
  m.max_time = absl::GetFlag(FLAGS_miss_max_time);
  m.seed = h.seed;
  c.targets.hit_ratio = absl::GetFlag(FLAGS_hit_ratio_target);
  c.targets.hit_p99 = absl::GetFlag(FLAGS_hit_p99_target);
  c.targets.miss_p50 = absl::GetFlag(FLAGS_miss_p50_target);

  for (absl::Status status : {
           CheckRange("in_flight", h.in_flight, 1, 1024),
           CheckRange("channels", h.channels, 1, h.in_flight),
           CheckRange("rounds", h.rounds, 1, 10),
           CheckRange("users", h.users, 1, 1'000'000),
           CheckRange("products", h.products, 100, 1'000'000),
           CheckRange("server_threads", h.server_threads, 4, 10'000),
           CheckRange("redis_pool_size", h.redis_pool_size, 1, 1024),
           CheckRange("miss_products", m.products, 100, 1'000'000),
           CheckRange("miss_calls", m.calls, 1, 1'000'000),
           CheckDuration("duration", h.duration, absl::Milliseconds(100),
                         absl::Seconds(60)),
           CheckDuration("warmup", h.warmup, absl::ZeroDuration(),
                         absl::Seconds(10)),
           CheckDuration("rpc_timeout", h.rpc_timeout, absl::Milliseconds(10),
                         absl::Seconds(60)),
           CheckDuration("miss_max_time", m.max_time, absl::Milliseconds(100),
                         absl::Seconds(120)),
       }) {
    if (!status.ok()) return status;
  }
  if (c.hit && h.redis_url.empty()) {
    return absl::InvalidArgumentError(
        "--redis_url (REDIS_URL) is required for the hit phase");
  }
  return c;
}

int Run(const Config& config) {
  Report report;
  report.targets = config.targets;
  absl::StatusOr<MissRun> miss;
  absl::StatusOr<HitRun> hit;
  // The miss phase first, while nothing else of ours is running.
  if (config.miss) {
    std::cerr << "miss phase: " << config.miss_options.calls << " calls"
              << std::endl;
    miss = RunMissBench(config.miss_options);
    if (!miss.ok()) {
      std::cerr << "error: miss phase: " << miss.status() << std::endl;
      return EXIT_FAILURE;
    }
    report.miss_options = &config.miss_options;
    report.miss = &*miss;
  }
  if (config.hit) {
    std::cerr << "hit phase: warming " << config.hit_options.users
              << " users, then "
              << (config.hit_options.sync_baseline ? 3 : 2) *
                     config.hit_options.rounds
              << " phases of "
              << absl::FormatDuration(config.hit_options.duration) << std::endl;
    hit = RunHitBench(config.hit_options);
    if (!hit.ok()) {
      std::cerr << "error: hit phase: " << hit.status() << std::endl;
      return EXIT_FAILURE;
    }
    report.hit_options = &config.hit_options;
    report.hit = &*hit;
  }
  std::cout << (absl::GetFlag(FLAGS_json) ? FormatJson(report) + "\n"
                                          : FormatText(report))
            << std::flush;
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::recommender::bench

int main(int argc, char** argv) {
  // As the service does (its main.cc): no Mutex deadlock detection.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  using namespace smartshop;
  absl::SetProgramUsageMessage(
      "Cache-hit GetRecommendations against Health/Check on the same server "
      "(needs --redis_url), and the service's own time on a cache miss with "
      "a model answering at once.");
  if (absl::Status env = ApplyEnvironmentToFlags(recommender::bench::kFlagEnv);
      !env.ok()) {
    std::cerr << "error: " << env << std::endl;
    return 2;
  }
  absl::ParseCommandLine(argc, argv);
  auto config = recommender::bench::LoadConfig();
  if (!config.ok()) {
    std::cerr << "error: " << config.status() << std::endl;
    return 2;
  }
  return recommender::bench::Run(*config);
}
