// The cache-hit benchmark: a RecommenderServiceImpl on loopback in this
// process, over a real Redis cache, a synthetic shop and a model that
// answers at once. After warming the cache for a set of users it compares
// cache-hit GetRecommendations with grpc.health.v1.Health/Check, the
// emptiest unary call the same server answers, alternating the two so that
// both see the same (noisy, shared) machine.
#ifndef SMARTSHOP_TOOLS_BENCH_RECOMMENDER_HIT_BENCH_H_
#define SMARTSHOP_TOOLS_BENCH_RECOMMENDER_HIT_BENCH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/recommender/cache/local_answer_cache.h"
#include "tools/bench/recommender/closed_loop.h"

namespace smartshop::recommender::bench {

inline constexpr char kHealthPhase[] = "health";
inline constexpr char kHitPhase[] = "hit";
// InvalidateRecommendations without a target: INVALID_ARGUMENT at once, no
// Redis: a call through the same edge policy (token, scope) as a hit, with
// nothing behind it, on the sync API (GetRecommendations and health are on
// gRPC's callback API). Tells how much of the gap to health is the edge and
// the API and how much the cache hit itself.
inline constexpr char kSyncEmptyPhase[] = "sync0";

struct HitOptions {
  std::string redis_url;
  int redis_pool_size = 8;  // the service's default
  int server_threads = 64;  // the service's default
  // The in-process cache in front of Redis; zero: every hit asks Redis.
  absl::Duration local_cache_ttl = LocalCacheOptions().ttl;
  int products = 2'000;
  // Users whose answers are cached first and then requested round-robin.
  int users = 1'000;
  int in_flight = 32;
  // Calls kept in flight by one blocked client thread each (false), or by
  // gRPC's callback client (true): more calls per second from the same two
  // cores, but a longer tail (completions queue behind one another on its
  // few threads), so the p99 target is judged with the blocked threads.
  bool callback_client = false;
  // Client channels (connections); workers share them round-robin.
  int channels = 4;
  // Also run the kSyncEmptyPhase diagnostic in each round.
  bool sync_baseline = true;
  // Each round runs every phase; even rounds in the reverse order.
  int rounds = 2;
  absl::Duration warmup = absl::Milliseconds(500);
  absl::Duration duration = absl::Seconds(5);
  absl::Duration rpc_timeout = absl::Seconds(1);
  uint64_t seed = 42;
};

struct HitPhaseResult {
  std::string phase;  // kHealthPhase, kHitPhase or kSyncEmptyPhase
  int round = 0;      // from 1
  LoopResult loop;
  // CPU Redis reported using during the phase (INFO cpu); unset when it
  // could not be read.
  std::optional<absl::Duration> redis_cpu;
};

struct HitRun {
  std::vector<HitPhaseResult> phases;  // in the order they ran
  std::string redis_address;
  int64_t cached_value_bytes = 0;  // one user's answer as stored in Redis
  absl::Duration warm_time;
};

// Fails when Redis cannot be reached, the server cannot start, or warming
// does not leave every user's answer cached: hit figures would be lies.
// Removes its keys (a prefix of its own) before returning.
absl::StatusOr<HitRun> RunHitBench(const HitOptions& options);

}  // namespace smartshop::recommender::bench

#endif  // SMARTSHOP_TOOLS_BENCH_RECOMMENDER_HIT_BENCH_H_
