#include "tools/bench/shop_scale/soak.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/status_util.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/bench/admin_metrics.h"

namespace smartshop::bench {
namespace {

using recommender::bench::Call;
using recommender::bench::LoopOptions;

struct Counters {
  double hits = 0;
  double misses = 0;
  double model_calls = 0;
};

absl::StatusOr<Counters> ReadCounters(int admin_port) {
  absl::StatusOr<std::string> page = ScrapeMetrics(admin_port);
  if (!page.ok()) return page.status();
  constexpr char kCache[] = "smartshop_recommender_cache_requests_total";
  return Counters{.hits = SumSamples(*page, kCache, "result=\"hit\""),
                  .misses = SumSamples(*page, kCache, "result=\"miss\""),
                  .model_calls = SumSamples(
                      *page, "smartshop_recommender_model_calls_total")};
}

// Unary Track at a steady rate, as a shop's live traffic; events of now.
void SendLiveEvents(const SoakOptions& options,
                    const std::shared_ptr<grpc::Channel>& tracking,
                    const absl::Notification& stop, std::atomic<int64_t>* sent,
                    std::atomic<int64_t>* failed) {
  if (options.live_events_per_second <= 0) return;
  auto stub = smartshop::v1::TrackingService::NewStub(tracking);
  EventShape live = options.shape;
  live.history = absl::Seconds(10);
  SyntheticEvents events(live, options.seed ^ 0x5eed, absl::Now());
  const absl::Duration gap = absl::Seconds(1) / options.live_events_per_second;
  absl::Time next = absl::Now();
  while (!stop.WaitForNotificationWithDeadline(next)) {
    next += gap;
    absl::StatusOr<std::vector<smartshop::v1::Interaction>> event =
        events.Next(1);
    smartshop::v1::TrackRequest request;
    if (event.ok()) *request.mutable_interaction() = std::move(event->front());
    grpc::ClientContext context;
    context.set_deadline(ClientDeadline(absl::Seconds(2)));
    smartshop::v1::TrackResponse response;
    sent->fetch_add(1);
    if (!event.ok() || !stub->Track(&context, request, &response).ok()) {
      failed->fetch_add(1);
    }
  }
}

}  // namespace

absl::StatusOr<SoakResult> RunSoak(
    const SoakOptions& options,
    const std::shared_ptr<grpc::Channel>& recommender, int admin_port,
    const std::shared_ptr<grpc::Channel>& tracking) {
  absl::StatusOr<Counters> before = ReadCounters(admin_port);
  if (!before.ok()) return before.status();
  std::atomic<int64_t> kinds[3] = {0, 0, 0};  // user, session, anonymous
  auto make_call = [&](int worker) -> Call {
    auto stub = smartshop::v1::RecommenderService::NewStub(recommender);
    // Shoppers drawn as the history's events are: active users and
    // sessions come back more often.
    auto shoppers = std::make_shared<SyntheticEvents>(
        options.shape, options.seed + 1000 + worker, absl::Now());
    auto turn = std::make_shared<int64_t>(0);
    return [&options, &kinds, stub = std::shared_ptr(std::move(stub)), shoppers,
            turn]() -> absl::Status {
      absl::StatusOr<std::vector<smartshop::v1::Interaction>> who =
          shoppers->Next(1);
      if (!who.ok()) return who.status();
      smartshop::v1::GetRecommendationsRequest request;
      // One call in five from a visitor the shop knows nothing of.
      int kind = 2;
      if ((*turn)++ % 5 != 0) {
        kind = who->front().user_id().empty() ? 1 : 0;
        if (kind == 0) request.set_user_id(who->front().user_id());
        if (kind == 1) request.set_session_key(who->front().session_key());
      }
      kinds[kind].fetch_add(1, std::memory_order_relaxed);
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.deadline));
      smartshop::v1::Recommendations response;
      grpc::Status status =
          stub->GetRecommendations(&context, request, &response);
      if (status.ok()) return absl::OkStatus();
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          status.error_message());
    };
  };

  absl::Notification stop_live;
  std::atomic<int64_t> live_sent{0};
  std::atomic<int64_t> live_failed{0};
  std::thread live([&] {
    SendLiveEvents(options, tracking, stop_live, &live_sent, &live_failed);
  });
  SoakResult result;
  LoopOptions loop;
  loop.in_flight = options.callers;
  loop.warmup = absl::ZeroDuration();  // the cold start is part of a soak
  loop.duration = options.duration;
  result.calls = recommender::bench::RunClosedLoop(loop, make_call);
  stop_live.Notify();
  live.join();

  absl::StatusOr<Counters> after = ReadCounters(admin_port);
  if (!after.ok()) return after.status();
  result.user_calls = kinds[0].load();
  result.session_calls = kinds[1].load();
  result.anonymous_calls = kinds[2].load();
  result.cache_hits = after->hits - before->hits;
  result.cache_misses = after->misses - before->misses;
  result.model_calls = after->model_calls - before->model_calls;
  result.live_events = live_sent.load();
  result.live_failed = live_failed.load();
  return result;
}

}  // namespace smartshop::bench
