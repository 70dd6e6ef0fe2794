#include "tools/bench/recommender/closed_loop.h"

#include <sys/resource.h>

#include <chrono>
#include <thread>
#include <vector>

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

struct WorkerResult {
  std::vector<int64_t> nanos;      // OK calls
  std::vector<int64_t> all_nanos;  // every call
  int64_t failed = 0;
  std::string first_error;
  std::map<std::string, int64_t> failed_by_code;
};

}  // namespace

LoopResult RunClosedLoop(const LoopOptions& options,
                         const std::function<Call(int worker)>& make_call) {
  std::vector<Call> calls;
  for (int w = 0; w < options.in_flight; ++w) calls.push_back(make_call(w));
  std::vector<WorkerResult> results(options.in_flight);
  // Written before `go` is notified, read only after: no lock needed.
  SteadyClock::time_point measure_from;
  SteadyClock::time_point measure_to;
  absl::Notification go;

  std::vector<std::thread> threads;
  for (int w = 0; w < options.in_flight; ++w) {
    threads.emplace_back([&, w] {
      WorkerResult& out = results[w];
      go.WaitForNotification();
      while (true) {
        const SteadyClock::time_point start = SteadyClock::now();
        if (start >= measure_to) break;
        const absl::Status status = calls[w]();
        const SteadyClock::time_point end = SteadyClock::now();
        if (start < measure_from || end > measure_to) continue;
        const int64_t nanos = (end - start) / std::chrono::nanoseconds(1);
        out.all_nanos.push_back(nanos);
        if (status.ok()) {
          out.nanos.push_back(nanos);
          continue;
        }
        ++out.failed_by_code[absl::StatusCodeToString(status.code())];
        if (out.failed++ == 0) out.first_error = status.ToString();
      }
    });
  }
  measure_from = SteadyClock::now() + absl::ToChronoNanoseconds(options.warmup);
  measure_to = measure_from + absl::ToChronoNanoseconds(options.duration);
  go.Notify();
  std::this_thread::sleep_until(measure_from);
  const absl::Duration cpu_before = ProcessCpu();
  if (options.window_opened) options.window_opened();
  std::this_thread::sleep_until(measure_to);
  const absl::Duration cpu_after = ProcessCpu();
  if (options.window_closed) options.window_closed();
  for (std::thread& t : threads) t.join();

  LoopResult result;
  result.window = options.duration;
  result.cpu = cpu_after - cpu_before;
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

double CallsPerSecond(const LoopResult& result) {
  const double seconds = absl::ToDoubleSeconds(result.window);
  return seconds > 0 ? static_cast<double>(result.ok_calls) / seconds : 0.0;
}

}  // namespace smartshop::recommender::bench
