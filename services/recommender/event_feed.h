// Follows the tracking service's event log through Subscribe: replays the
// history (all of it, or the model's window) once at start-up to build the
// builtin ranker's model, then
// teaches it every new event and drops the cached answers an event makes
// stale. Reconnects by itself after any failure, resuming after the last
// position it saw, so no event is missed or learnt twice.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_EVENT_FEED_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_EVENT_FEED_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/builtin/interaction_model.h"
#include "smartshop/v1/tracking.grpc.pb.h"

namespace smartshop::recommender {

struct EventFeedOptions {
  // Each Subscribe call ends after this long and is resumed at once, so
  // that the stream has a deadline like every call.
  absl::Duration stream_lifetime = absl::Minutes(10);
  // Pause before reconnecting after a failure, doubling up to the maximum.
  absl::Duration retry_initial = absl::Milliseconds(200);
  absl::Duration retry_max = absl::Seconds(5);
  // Called once, when the history has been replayed.
  std::function<void()> on_caught_up = nullptr;
  // Only events this recent are asked for (SubscribeRequest.since, from
  // `clock`), and the model is moved to the clock's time after each message
  // so that it forgets what leaves the window; infinite = everything.
  // Should match the model's ModelOptions::history_window.
  absl::Duration model_window = absl::InfiniteDuration();
  // Not owned; must outlive the feed.
  const Clock* clock = &Clock::Real();
};

class EventFeed {
 public:
  // Called for each new event once the history is replayed (not for the
  // replay itself, whose events are old).
  using OnLiveEvent = std::function<void(const smartshop::v1::Interaction&)>;

  // `model` is not owned and must outlive this.
  EventFeed(std::shared_ptr<grpc::Channel> channel, InteractionModel* model,
            OnLiveEvent on_live_event, EventFeedOptions options = {});
  // Over the given stub (tests pass the generated mock stub).
  EventFeed(std::unique_ptr<smartshop::v1::TrackingService::StubInterface> stub,
            InteractionModel* model, OnLiveEvent on_live_event,
            EventFeedOptions options = {});
  // Stops the feed (cancels the open call) and waits for its thread.
  ~EventFeed();

  void Start();

  // The resume token of the last log position processed ("" = none yet).
  std::string position() const {
    absl::MutexLock lock(&mu_);
    return position_;
  }
  // The largest event sequence learnt (for metrics); 0 = none.
  int64_t last_sequence() const { return last_sequence_.load(); }
  // True once the history has been replayed.
  bool caught_up() const { return caught_up_.load(); }
  // Events received before catching up (the replay), so far.
  int64_t replayed_events() const { return replayed_events_.load(); }
  // True while a Subscribe call is open.
  bool connected() const { return connected_.load(); }
  int64_t reconnects() const { return reconnects_.load(); }
  // Blocks until the history has been replayed or `deadline`.
  bool WaitUntilCaughtUp(absl::Time deadline) const;

 private:
  void Run();
  // One Subscribe call, until it ends or `planned_end`; its final status.
  grpc::Status Follow(absl::Time planned_end);

  std::unique_ptr<smartshop::v1::TrackingService::StubInterface> stub_;
  InteractionModel* const model_;
  const OnLiveEvent on_live_event_;
  const EventFeedOptions options_;
  std::atomic<int64_t> last_sequence_{0};
  std::atomic<bool> caught_up_{false};
  std::atomic<int64_t> replayed_events_{0};
  std::atomic<bool> connected_{false};
  std::atomic<int64_t> reconnects_{0};
  absl::Notification caught_up_once_;
  absl::Notification stopping_;
  mutable absl::Mutex mu_;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::string position_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_EVENT_FEED_H_
