#include "tools/bench/grpc_phases.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "common/status_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"

namespace smartshop::bench {
namespace {

using smartshop::v1::TrackingService;

// The codes share their numeric values by design.
absl::Status FromGrpc(const grpc::Status& status, absl::string_view call) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      absl::StrCat(call, ": ", status.error_message()));
}

// A sync gRPC server whose threads are all busy refuses a call before its
// handler runs (RESOURCE_EXHAUSTED "Server Threadpool Exhausted"), so nothing
// was stored and a producer would back off and resend. Other
// RESOURCE_EXHAUSTED causes (message too large) are not worth a retry.
bool IsThreadpoolRefusal(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
         absl::StrContains(status.error_message(), "Threadpool Exhausted");
}

// Makes `call` with a deadline `rpc_timeout` from now, resending it after
// refusals until that deadline; counts the refusals in `refused`.
template <typename Call>
grpc::Status CallWithDeadline(absl::Duration rpc_timeout,
                              std::atomic<int64_t>* refused, Call call) {
  const absl::Time deadline = absl::Now() + rpc_timeout;
  absl::Duration backoff = absl::Milliseconds(1);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(deadline));
    grpc::Status status = call(context);
    if (!IsThreadpoolRefusal(status) || absl::Now() + backoff >= deadline) {
      return status;
    }
    refused->fetch_add(1, std::memory_order_relaxed);
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Milliseconds(50));
  }
}

// Runs tasks 0..tasks-1 on `threads` threads, each taking the next task when
// done with one, like producers that keep `threads` calls in flight. Stops
// handing out tasks after the first failure, which it returns.
absl::Status RunConcurrently(int threads, int64_t tasks,
                             absl::FunctionRef<absl::Status(int64_t)> task) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status first_error;
  auto worker = [&] {
    while (!failed.load(std::memory_order_relaxed)) {
      const int64_t i = next.fetch_add(1);
      if (i >= tasks) return;
      absl::Status status = task(i);
      if (!status.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = std::move(status);
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  const int64_t count = std::min<int64_t>(threads, tasks);
  for (int64_t i = 0; i < count; ++i) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return first_error;
}

}  // namespace

absl::Status WaitUntilServing(const std::shared_ptr<grpc::Channel>& channel,
                              absl::Duration timeout) {
  auto health = grpc::health::v1::Health::NewStub(channel);
  const absl::Time give_up = absl::Now() + timeout;
  std::string last;
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(absl::Seconds(2)));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("smartshop.v1.TrackingService");
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(&context, request, &response);
    if (status.ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    last = status.ok() ? absl::StrCat("health status ", response.status())
                       : status.error_message();
    if (absl::Now() >= give_up) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return absl::UnavailableError(
      absl::StrCat("tracking service not SERVING after ",
                   absl::FormatDuration(timeout), " (last: ", last, ")"));
}

absl::StatusOr<PhaseRun> RunTrackBatch(
    const std::shared_ptr<grpc::Channel>& channel,
    absl::Span<const smartshop::v1::Interaction> events, int batch_size,
    int in_flight, absl::Duration rpc_timeout) {
  auto stub = TrackingService::NewStub(channel);
  const int64_t size = static_cast<int64_t>(events.size());
  const int64_t batches = (size + batch_size - 1) / batch_size;
  std::atomic<int64_t> refused{0};
  const absl::Time start = absl::Now();
  absl::Status status = RunConcurrently(in_flight, batches, [&](int64_t b) {
    // Building the request is timed: a real producer has to do it too.
    smartshop::v1::TrackBatchRequest request;
    const int64_t first = b * batch_size;
    const int64_t last = std::min(size, first + batch_size);
    request.mutable_interactions()->Reserve(static_cast<int>(last - first));
    for (int64_t i = first; i < last; ++i) {
      *request.add_interactions() = events[i];
    }
    smartshop::v1::TrackBatchResponse response;
    grpc::Status rpc = CallWithDeadline(
        rpc_timeout, &refused, [&](grpc::ClientContext& context) {
          response.Clear();
          return stub->TrackBatch(&context, request, &response);
        });
    const std::string call =
        absl::StrCat("TrackBatch of events [", first, ", ", last, ")");
    if (!rpc.ok()) return FromGrpc(rpc, call);
    if (response.stored() != last - first) {
      return absl::InternalError(absl::StrCat(
          call, " stored ", response.stored(), ", duplicates ",
          response.duplicates(), ", rejected ", response.rejected()));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return PhaseRun{.elapsed = absl::Now() - start, .refused = refused.load()};
}

namespace {

// The calls of RunUnaryTrack: `in_flight` chains of calls, each started
// from the completion callback of the one before.
class UnaryTrackChains {
 public:
  UnaryTrackChains(TrackingService::Stub* stub,
                   absl::Span<const smartshop::v1::Interaction> events,
                   int chains, absl::Duration rpc_timeout)
      : stub_(stub),
        events_(events),
        rpc_timeout_(rpc_timeout),
        chains_(chains),
        running_(chains) {}

  absl::Status Run() {
    for (int c = 0; c < chains_; ++c) Next();
    running_.Wait();
    absl::MutexLock lock(&mu_);
    return first_error_;
  }

 private:
  struct Call {
    grpc::ClientContext context;
    smartshop::v1::TrackRequest request;
    smartshop::v1::TrackResponse response;
  };

  void Next() {
    const int64_t i = next_.fetch_add(1);
    if (i >= static_cast<int64_t>(events_.size()) || failed_.load()) {
      running_.DecrementCount();
      return;
    }
    auto call = std::make_shared<Call>();
    *call->request.mutable_interaction() = events_[i];
    call->context.set_deadline(ClientDeadline(rpc_timeout_));
    stub_->async()->Track(&call->context, &call->request, &call->response,
                          [this, call, i](grpc::Status rpc) {
                            Check(i, rpc, call->response);
                            Next();
                          });
  }

  void Check(int64_t i, const grpc::Status& rpc,
             const smartshop::v1::TrackResponse& response) {
    const std::string name = absl::StrCat("Track of event ", i);
    absl::Status status;
    if (!rpc.ok()) {
      status = FromGrpc(rpc, name);
    } else if (response.outcome() != smartshop::v1::STORED) {
      status = absl::InternalError(
          absl::StrCat(name, ": outcome ",
                       smartshop::v1::EventOutcome_Name(response.outcome())));
    }
    if (status.ok()) return;
    absl::MutexLock lock(&mu_);
    if (first_error_.ok()) first_error_ = std::move(status);
    failed_ = true;
  }

  TrackingService::Stub* const stub_;
  const absl::Span<const smartshop::v1::Interaction> events_;
  const absl::Duration rpc_timeout_;
  const int chains_;
  std::atomic<int64_t> next_{0};
  std::atomic<bool> failed_{false};
  absl::BlockingCounter running_;
  absl::Mutex mu_;
  absl::Status first_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::StatusOr<PhaseRun> RunUnaryTrack(
    const std::shared_ptr<grpc::Channel>& channel,
    absl::Span<const smartshop::v1::Interaction> events, int in_flight,
    absl::Duration rpc_timeout) {
  auto stub = TrackingService::NewStub(channel);
  const int chains = static_cast<int>(
      std::min<int64_t>(in_flight, static_cast<int64_t>(events.size())));
  const absl::Time start = absl::Now();
  UnaryTrackChains calls(stub.get(), events, chains, rpc_timeout);
  if (absl::Status status = calls.Run(); !status.ok()) return status;
  return PhaseRun{.elapsed = absl::Now() - start, .refused = 0};
}

}  // namespace smartshop::bench
