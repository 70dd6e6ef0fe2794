// The shop-scale soak: mixed page traffic against one recommender for a
// fixed time — GetRecommendations for users, anonymous sessions and the
// anonymous key, each with a page's deadline — while live Track traffic
// keeps the event feed busy; the recommender's own counters give the cache
// hit rate and the model calls.
#ifndef SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SOAK_H_
#define SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SOAK_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/bench/recommender/closed_loop.h"
#include "tools/bench/synthetic_events.h"

namespace smartshop::bench {

struct SoakOptions {
  std::string name;  // "model" or "builtin", for the report
  absl::Duration duration = absl::Seconds(60);
  int callers = 16;  // concurrent GetRecommendations callers
  absl::Duration deadline = absl::Milliseconds(300);
  double live_events_per_second = 200;
  // Who asks: users and sessions of this shop, drawn as its events are.
  EventShape shape;
  uint64_t seed = 1;
};

struct SoakResult {
  recommender::bench::LoopResult calls;
  // Of the calls in the window.
  int64_t user_calls = 0;
  int64_t session_calls = 0;
  int64_t anonymous_calls = 0;
  // Deltas of the recommender's counters over the soak.
  double cache_hits = 0;
  double cache_misses = 0;
  double model_calls = 0;
  // Live Track calls sent during the soak, and those that failed.
  int64_t live_events = 0;
  int64_t live_failed = 0;
};

// REQUIRES: the recommender serves and its admin port answers.
absl::StatusOr<SoakResult> RunSoak(
    const SoakOptions& options,
    const std::shared_ptr<grpc::Channel>& recommender, int admin_port,
    const std::shared_ptr<grpc::Channel>& tracking);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SOAK_H_
