// The recommender's record of every answer it serves (cache hits included),
// sent to the tracking service (InsightsService.RecordServed), which joins
// it with the clicks and sales that follow. The request path only appends
// to a bounded queue: no I/O, no wait. A thread of its own sends batches,
// retries what tracking could not take, and drops (and counts) only what no
// longer fits the queue, so that a long tracking outage costs memory up to
// the bound and never a reply's latency.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_SERVED_LOG_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_SERVED_LOG_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "smartshop/v1/insights.grpc.pb.h"

namespace smartshop::recommender {

// Where batches go (tracking over gRPC; tests pass fakes).
class ServedSink {
 public:
  virtual ~ServedSink() = default;
  // Stores the batch, idempotently (RecordServed dedupes by id and time).
  virtual absl::Status Send(
      const std::vector<smartshop::v1::ServedRecommendation>& batch,
      absl::Time deadline) = 0;
};

class GrpcServedSink : public ServedSink {
 public:
  explicit GrpcServedSink(std::shared_ptr<grpc::Channel> channel);
  absl::Status Send(
      const std::vector<smartshop::v1::ServedRecommendation>& batch,
      absl::Time deadline) override;

 private:
  std::unique_ptr<smartshop::v1::InsightsService::StubInterface> stub_;
};

struct ServedLogOptions {
  // Records per RecordServed call (tracking takes at most 1000).
  int batch_size = 500;
  // A partial batch waits at most this long.
  absl::Duration flush_interval = absl::Seconds(1);
  // Records held while tracking is away; past it new ones are dropped.
  // (About 300 bytes each: 100 000 ≈ 30 MB.)
  int64_t max_pending = 100'000;
  absl::Duration call_timeout = absl::Seconds(5);
  // Retries of a failed batch back off from 250 ms up to this.
  absl::Duration max_backoff = absl::Seconds(30);
  // On shutdown, what is left is sent for at most this long.
  absl::Duration drain_timeout = absl::Seconds(2);
};

class ServedLog {
 public:
  // `sink` is not owned and must outlive this. `count` (may be null) hears
  // each outcome with how many records it concerned: "recorded", "sent",
  // "dropped" (queue full, or left at shutdown), "rejected" (a record
  // tracking refused as invalid: the batch is halved until it stands
  // alone, and only it is dropped), "refused" (tracking denied the
  // recommender's token: retried), "send_failed" (the records of each
  // failed attempt: retried).
  ServedLog(ServedSink* sink, ServedLogOptions options,
            std::function<void(const char* outcome, int64_t n)> count = {});
  // Sends what is left, for at most drain_timeout (plus the rest of a call
  // already under way), then stops.
  ~ServedLog();

  // Thread-safe, never blocks on I/O.
  void Record(smartshop::v1::ServedRecommendation served);

  int64_t pending() const;
  // Erasure: drops the user's records not sent yet (a batch already on its
  // way may still land after tracking's delete: at most one batch).
  // How many were dropped.
  int64_t Forget(const std::string& user_id);

 private:
  void Run();
  // Sends one batch, retrying until it is taken, refused as invalid, or
  // `stop_by` passes; false when it gave up at stop_by.
  bool SendWithRetry(const std::vector<smartshop::v1::ServedRecommendation>&,
                     absl::Time stop_by);
  void Count(const char* outcome, int64_t n) const {
    if (count_) count_(outcome, n);
  }

  ServedSink* const sink_;
  const ServedLogOptions options_;
  const std::function<void(const char*, int64_t)> count_;
  mutable absl::Mutex mu_;
  std::deque<smartshop::v1::ServedRecommendation> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time drain_until_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::thread thread_;  // last: started when everything else is ready
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_SERVED_LOG_H_
