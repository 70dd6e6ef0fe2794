// A closed-loop load phase: `in_flight` threads each issue one blocking
// call after another for a fixed time, so the offered load is exactly
// `in_flight` calls outstanding. Only calls that start and finish inside
// the measured window count; a warm-up before it fills connection pools,
// thread pools and caches.
#ifndef SMARTSHOP_TOOLS_BENCH_RECOMMENDER_CLOSED_LOOP_H_
#define SMARTSHOP_TOOLS_BENCH_RECOMMENDER_CLOSED_LOOP_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "tools/bench/recommender/latency.h"

namespace smartshop::recommender::bench {

// One blocking call; OK when it did what the phase measures.
using Call = std::function<absl::Status()>;

struct LoopOptions {
  int in_flight = 32;
  absl::Duration warmup = absl::Milliseconds(500);
  absl::Duration duration = absl::Seconds(5);
  // When set, called as the measured window opens and closes (e.g. to read
  // another process's CPU counters over exactly the window).
  std::function<void()> window_opened;
  std::function<void()> window_closed;
};

struct LoopResult {
  // Calls that started and finished inside the window, by outcome.
  int64_t ok_calls = 0;
  int64_t failed_calls = 0;
  std::string first_error;  // empty when none failed
  // The failed calls by absl::StatusCodeToString ("DEADLINE_EXCEEDED").
  std::map<std::string, int64_t> failed_by_code;
  absl::Duration window;
  LatencySummary latency;  // of the OK calls
  // Of every call, failed ones included: what a caller waited.
  LatencySummary all_latency;
  // User + system CPU of this whole process (clients and an in-process
  // server alike) during the window.
  absl::Duration cpu;
};

// Calls `make_call(worker)` once per worker, before the clock starts, so
// that each worker can own its stub and request; then runs the phase.
LoopResult RunClosedLoop(const LoopOptions& options,
                         const std::function<Call(int worker)>& make_call);

// One asynchronous call: starts it and returns at once; `done` runs once,
// on any thread, with its outcome.
using CallDone = std::function<void(absl::Status)>;
using AsyncCall = std::function<void(CallDone done)>;

// The same phase with the `in_flight` calls kept outstanding by completion
// callbacks (gRPC's callback client) instead of one blocked thread each:
// the load generator takes less CPU from a server on the same machine.
LoopResult RunAsyncClosedLoop(
    const LoopOptions& options,
    const std::function<AsyncCall(int worker)>& make_call);

// OK calls per second of the window.
double CallsPerSecond(const LoopResult& result);

}  // namespace smartshop::recommender::bench

#endif  // SMARTSHOP_TOOLS_BENCH_RECOMMENDER_CLOSED_LOOP_H_
