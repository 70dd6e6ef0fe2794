#include "tools/bench/recommender/closed_loop.h"

#include <sys/resource.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/notification.h"

namespace smartshop::recommender::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

absl::Duration ProcessCpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return absl::DurationFromTimeval(usage.ru_utime) +
         absl::DurationFromTimeval(usage.ru_stime);
}

// The window calls count in: written before the workers start, read only
// after.
struct Window {
  SteadyClock::time_point from;
  SteadyClock::time_point to;
};

struct WorkerResult {
  std::vector<int64_t> nanos;      // OK calls
  std::vector<int64_t> all_nanos;  // every call
  int64_t failed = 0;
  std::string first_error;
  std::map<std::string, int64_t> failed_by_code;

  // Counts a call when it started and finished inside the window.
  void Record(const Window& window, SteadyClock::time_point start,
              SteadyClock::time_point end, const absl::Status& status) {
    if (start < window.from || end > window.to) return;
    const int64_t call_nanos = (end - start) / std::chrono::nanoseconds(1);
    all_nanos.push_back(call_nanos);
    if (status.ok()) {
      nanos.push_back(call_nanos);
      return;
    }
    ++failed_by_code[absl::StatusCodeToString(status.code())];
    if (failed++ == 0) first_error = status.ToString();
  }
};

// Opens the window after the warm-up, waits it out and returns the
// process's CPU over it; the workers run meanwhile.
absl::Duration TimeWindow(const LoopOptions& options, Window& window,
                          absl::Notification& go) {
  window.from = SteadyClock::now() + absl::ToChronoNanoseconds(options.warmup);
  window.to = window.from + absl::ToChronoNanoseconds(options.duration);
  go.Notify();
  std::this_thread::sleep_until(window.from);
  const absl::Duration cpu_before = ProcessCpu();
  if (options.window_opened) options.window_opened();
  std::this_thread::sleep_until(window.to);
  const absl::Duration cpu_after = ProcessCpu();
  if (options.window_closed) options.window_closed();
  return cpu_after - cpu_before;
}

LoopResult Merge(const LoopOptions& options, absl::Duration cpu,
                 std::vector<WorkerResult>& results) {
  LoopResult result;
  result.window = options.duration;
  result.cpu = cpu;
  std::vector<int64_t> nanos;
  std::vector<int64_t> all_nanos;
  for (WorkerResult& w : results) {
    nanos.insert(nanos.end(), w.nanos.begin(), w.nanos.end());
    all_nanos.insert(all_nanos.end(), w.all_nanos.begin(), w.all_nanos.end());
    result.failed_calls += w.failed;
    if (result.first_error.empty()) result.first_error = w.first_error;
    for (const auto& [code, count] : w.failed_by_code) {
      result.failed_by_code[code] += count;
    }
  }
  result.ok_calls = static_cast<int64_t>(nanos.size());
  result.latency = Summarize(std::move(nanos));
  result.all_latency = Summarize(std::move(all_nanos));
  return result;
}

// One outstanding call of the asynchronous loop: when a call ends, the
// next one starts from its completion callback, until the window closes.
class AsyncWorker {
 public:
  AsyncWorker(AsyncCall call, const Window& window,
              absl::BlockingCounter& stopped)
      : call_(std::move(call)), window_(window), stopped_(stopped) {}

  void Next() {
    const SteadyClock::time_point start = SteadyClock::now();
    if (start >= window_.to) {
      stopped_.DecrementCount();
      return;
    }
    call_([this, start](absl::Status status) {
      result_.Record(window_, start, SteadyClock::now(), status);
      Next();
    });
  }

  WorkerResult& result() { return result_; }

 private:
  const AsyncCall call_;
  const Window& window_;
  absl::BlockingCounter& stopped_;
  // Touched by one call's callback at a time: calls of a worker follow one
  // another.
  WorkerResult result_;
};

}  // namespace

LoopResult RunClosedLoop(const LoopOptions& options,
                         const std::function<Call(int worker)>& make_call) {
  std::vector<Call> calls;
  for (int w = 0; w < options.in_flight; ++w) calls.push_back(make_call(w));
  std::vector<WorkerResult> results(options.in_flight);
  Window window;
  absl::Notification go;
  std::vector<std::thread> threads;
  for (int w = 0; w < options.in_flight; ++w) {
    threads.emplace_back([&, w] {
      go.WaitForNotification();
      while (true) {
        const SteadyClock::time_point start = SteadyClock::now();
        if (start >= window.to) break;
        const absl::Status status = calls[w]();
        results[w].Record(window, start, SteadyClock::now(), status);
      }
    });
  }
  const absl::Duration cpu = TimeWindow(options, window, go);
  for (std::thread& t : threads) t.join();
  return Merge(options, cpu, results);
}

LoopResult RunAsyncClosedLoop(
    const LoopOptions& options,
    const std::function<AsyncCall(int worker)>& make_call) {
  Window window;
  absl::Notification go;
  absl::BlockingCounter stopped(options.in_flight);
  std::vector<std::unique_ptr<AsyncWorker>> workers;
  for (int w = 0; w < options.in_flight; ++w) {
    workers.push_back(
        std::make_unique<AsyncWorker>(make_call(w), window, stopped));
  }
  // The workers start once the window is known.
  std::thread starter([&] {
    go.WaitForNotification();
    for (auto& worker : workers) worker->Next();
  });
  const absl::Duration cpu = TimeWindow(options, window, go);
  starter.join();
  stopped.Wait();
  std::vector<WorkerResult> results;
  for (auto& worker : workers) results.push_back(std::move(worker->result()));
  return Merge(options, cpu, results);
}

double CallsPerSecond(const LoopResult& result) {
  const double seconds = absl::ToDoubleSeconds(result.window);
  return seconds > 0 ? static_cast<double>(result.ok_calls) / seconds : 0.0;
}

}  // namespace smartshop::recommender::bench
