#include "services/recommender/event_feed.h"

#include <algorithm>

#include "common/json_log.h"
#include "common/proto_time.h"

namespace smartshop::recommender {

EventFeed::EventFeed(std::shared_ptr<grpc::Channel> channel,
                     InteractionModel* model, OnLiveEvent on_live_event,
                     EventFeedOptions options)
    : EventFeed(smartshop::v1::TrackingService::NewStub(std::move(channel)),
                model, std::move(on_live_event), std::move(options)) {}

EventFeed::EventFeed(
    std::unique_ptr<smartshop::v1::TrackingService::StubInterface> stub,
    InteractionModel* model, OnLiveEvent on_live_event,
    EventFeedOptions options)
    : stub_(std::move(stub)),
      model_(model),
      on_live_event_(std::move(on_live_event)),
      options_(options) {}

EventFeed::~EventFeed() {
  stopping_.Notify();
  {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr) current_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void EventFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool EventFeed::WaitUntilCaughtUp(absl::Time deadline) const {
  return caught_up_once_.WaitForNotificationWithDeadline(deadline);
}

void EventFeed::Run() {
  absl::Duration pause = options_.retry_initial;
  while (!stopping_.HasBeenNotified()) {
    const std::string before = position();
    const absl::Time planned_end = absl::Now() + options_.stream_lifetime;
    grpc::Status status = Follow(planned_end);
    if (stopping_.HasBeenNotified()) break;
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
        absl::Now() >= planned_end) {
      continue;  // the planned end of the call's lifetime: resume at once
    }
    reconnects_.fetch_add(1);
    if (position() != before) pause = options_.retry_initial;
    Log(LogLevel::kWarning, "event_feed_interrupted",
        {{"code", int64_t{status.error_code()}},
         {"error", status.error_message()},
         {"last_sequence", last_sequence_.load()},
         {"retry_in_ms", absl::ToInt64Milliseconds(pause)}});
    stopping_.WaitForNotificationWithTimeout(pause);
    pause = std::min(pause * 2, options_.retry_max);
  }
}

grpc::Status EventFeed::Follow(absl::Time planned_end) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(planned_end));
  {
    absl::MutexLock lock(&mu_);
    if (stopping_.HasBeenNotified()) return grpc::Status::CANCELLED;
    current_ = &context;
  }
  smartshop::v1::SubscribeRequest request;
  request.set_after_position(position());
  for (auto type :
       {smartshop::v1::VIEW_PRODUCT, smartshop::v1::ADD_TO_CART,
        smartshop::v1::REMOVE_FROM_CART, smartshop::v1::ORDER_PLACED}) {
    request.add_types(type);
  }
  const bool windowed = options_.model_window != absl::InfiniteDuration();
  if (windowed) {
    SetTimestamp(options_.clock->Now() - options_.model_window,
                 request.mutable_since());
  }
  std::unique_ptr<grpc::ClientReaderInterface<smartshop::v1::SubscribeResponse>>
      reader = stub_->Subscribe(&context, request);
  smartshop::v1::SubscribeResponse response;
  std::vector<const smartshop::v1::Interaction*> events;
  while (reader->Read(&response)) {
    connected_ = true;
    const bool live = caught_up_.load();
    // One lock for the whole message: a replay learns in batches.
    events.assign(response.interactions().pointer_begin(),
                  response.interactions().pointer_end());
    model_->ObserveAll(events);
    if (windowed) model_->AdvanceTo(options_.clock->Now());
    if (!live) replayed_events_.fetch_add(response.interactions_size());
    for (const auto& event : response.interactions()) {
      if (live && on_live_event_) on_live_event_(event);
      if (event.sequence() > last_sequence_.load()) {
        last_sequence_ = event.sequence();
      }
    }
    {
      absl::MutexLock lock(&mu_);
      position_ = response.position();
    }
    if (response.caught_up() && !caught_up_.exchange(true)) {
      caught_up_once_.Notify();
      if (options_.on_caught_up) options_.on_caught_up();
      Log(LogLevel::kInfo, "model_caught_up",
          {{"last_sequence", last_sequence_.load()},
           {"events", model_->events_observed()},
           {"products", model_->products()},
           {"model_bytes", model_->ApproximateBytes()}});
    }
  }
  connected_ = false;
  grpc::Status status = reader->Finish();
  absl::MutexLock lock(&mu_);
  current_ = nullptr;
  return status;
}

}  // namespace smartshop::recommender
