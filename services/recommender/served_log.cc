#include "services/recommender/served_log.h"

#include <algorithm>
#include <utility>

#include "common/json_log.h"
#include "common/status_util.h"

namespace smartshop::recommender {

GrpcServedSink::GrpcServedSink(std::shared_ptr<grpc::Channel> channel)
    : stub_(smartshop::v1::InsightsService::NewStub(std::move(channel))) {}

absl::Status GrpcServedSink::Send(
    const std::vector<smartshop::v1::ServedRecommendation>& batch,
    absl::Time deadline) {
  smartshop::v1::RecordServedRequest request;
  request.mutable_served()->Reserve(static_cast<int>(batch.size()));
  for (const auto& served : batch) *request.add_served() = served;
  smartshop::v1::RecordServedResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(deadline));
  return FromGrpcStatus(stub_->RecordServed(&context, request, &response));
}

ServedLog::ServedLog(ServedSink* sink, ServedLogOptions options,
                     std::function<void(const char*, int64_t)> count)
    : sink_(sink),
      options_(std::move(options)),
      count_(std::move(count)),
      thread_([this] { Run(); }) {}

ServedLog::~ServedLog() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    drain_until_ = absl::Now() + options_.drain_timeout;
  }
  thread_.join();
}

void ServedLog::Record(smartshop::v1::ServedRecommendation served) {
  {
    absl::MutexLock lock(&mu_);
    if (static_cast<int64_t>(queue_.size()) >= options_.max_pending) {
      Count("dropped", 1);
      return;
    }
    queue_.push_back(std::move(served));
  }
  Count("recorded", 1);
}

int64_t ServedLog::Forget(const std::string& user_id) {
  absl::MutexLock lock(&mu_);
  const size_t before = queue_.size();
  std::erase_if(queue_, [&](const smartshop::v1::ServedRecommendation& s) {
    return s.user_id() == user_id;
  });
  return static_cast<int64_t>(before - queue_.size());
}

int64_t ServedLog::pending() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int64_t>(queue_.size());
}

void ServedLog::Run() {
  const size_t batch_size =
      static_cast<size_t>(std::max(1, options_.batch_size));
  while (true) {
    std::vector<smartshop::v1::ServedRecommendation> batch;
    absl::Time stop_by;
    {
      absl::MutexLock lock(&mu_);
      auto full_or_stopping = [this, batch_size]() {
        mu_.AssertHeld();
        return stopping_ || queue_.size() >= batch_size;
      };
      mu_.AwaitWithTimeout(absl::Condition(&full_or_stopping),
                           options_.flush_interval);
      if (queue_.empty()) {
        if (stopping_) return;
        continue;
      }
      const size_t n = std::min(batch_size, queue_.size());
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + n));
      queue_.erase(queue_.begin(), queue_.begin() + n);
      stop_by = drain_until_;
    }
    if (!SendWithRetry(batch, stop_by)) {
      // Shutting down and tracking is away: what is left is lost, counted.
      absl::MutexLock lock(&mu_);
      Count("dropped", static_cast<int64_t>(batch.size() + queue_.size()));
      Log(LogLevel::kWarning, "served_log_dropped_on_stop",
          {{"records", static_cast<int64_t>(batch.size() + queue_.size())}});
      queue_.clear();
      return;
    }
  }
}

bool ServedLog::SendWithRetry(
    const std::vector<smartshop::v1::ServedRecommendation>& batch,
    absl::Time stop_by) {
  absl::Duration backoff = absl::Milliseconds(250);
  while (true) {
    const absl::Time deadline =
        std::min(absl::Now() + options_.call_timeout, stop_by);
    const absl::Status sent = sink_->Send(batch, deadline);
    const auto n = static_cast<int64_t>(batch.size());
    if (sent.ok()) {
      Count("sent", n);
      return true;
    }
    if (sent.code() == absl::StatusCode::kInvalidArgument) {
      if (batch.size() > 1) {
        // Halves until the record at fault stands alone: the others go.
        const auto middle = batch.begin() + batch.size() / 2;
        return SendWithRetry({batch.begin(), middle}, stop_by) &&
               SendWithRetry({middle, batch.end()}, stop_by);
      }
      // A bug on this side: retrying would block every later record.
      Count("rejected", n);
      Log(LogLevel::kError, "served_log_rejected",
          {{"records", n}, {"error", sent.ToString()}});
      return true;
    }
    if (sent.code() == absl::StatusCode::kPermissionDenied ||
        sent.code() == absl::StatusCode::kUnauthenticated) {
      // Retried (a fixed tokens file lets it through), but said loudly:
      // records pile up to the bound meanwhile.
      Count("refused", n);
      Log(LogLevel::kError, "served_log_refused",
          {{"records", n},
           {"error", sent.ToString()},
           {"hint",
            "the recommender's TRACKING_TOKEN needs the record scope"}});
    } else {
      Count("send_failed", n);
    }
    Log(LogLevel::kWarning, "served_log_retry",
        {{"records", n},
         {"error", sent.ToString()},
         {"retry_in_ms", absl::ToInt64Milliseconds(backoff)}});
    absl::MutexLock lock(&mu_);
    // Wakes early for a shutdown, which sets a drain deadline.
    auto stop_changed = [this, stop_by]() {
      mu_.AssertHeld();
      return drain_until_ != stop_by;
    };
    mu_.AwaitWithTimeout(absl::Condition(&stop_changed), backoff);
    stop_by = drain_until_;
    if (absl::Now() >= stop_by) return false;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace smartshop::recommender
