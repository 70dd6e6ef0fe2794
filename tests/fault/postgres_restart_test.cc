// Fault: Postgres stopped and restarted while producers stream events
// through the tracking binary, retrying each failed batch with the same
// event ids. Every acknowledged event must be stored exactly once, the
// service must reconnect by itself, and health must say NOT_SERVING while
// the database is away and SERVING again after.
#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/service_health.h"
#include "tests/integration/service_process.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/private_postgres.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

constexpr int kProducers = 4;
constexpr int kBatches = 40;
constexpr int kBatchSize = 50;

std::string EventId(int producer, int batch, int i) {
  return absl::StrFormat("%08x-0000-4000-8000-%012x", producer,
                         batch * kBatchSize + i);
}

constexpr char kTracking[] = "smartshop.v1.TrackingService";

TEST(PostgresRestartFault, AcknowledgedEventsAreStoredExactlyOnce) {
  PrivatePostgres postgres;
  ServiceProcess tracking(TRACKING_BINARY, {"--insecure_no_auth"},
                          {absl::StrCat("DATABASE_URL=", postgres.url())});
  const int port = tracking.WaitForPort();
  ASSERT_GT(port, 0) << tracking.log();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  ASSERT_TRUE(WaitForHealth(port, kTracking,
                            grpc::health::v1::HealthCheckResponse::SERVING))
      << tracking.log();

  absl::Mutex mu;
  std::set<std::string> acknowledged;
  std::atomic<int> errors{0};
  std::atomic<int> batches_done{0};
  const absl::Time start = absl::Now();
  const absl::Time give_up = start + absl::Seconds(90);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      auto stub = smartshop::v1::TrackingService::NewStub(channel);
      for (int b = 0; b < kBatches; ++b) {
        smartshop::v1::TrackBatchRequest request;
        for (int i = 0; i < kBatchSize; ++i) {
          auto* e = request.add_interactions();
          e->set_event_id(EventId(p, b, i));
          e->set_user_id(absl::StrCat("producer-", p));
          e->set_type(smartshop::v1::VIEW_PRODUCT);
          e->set_product_id(1 + i);
        }
        // Retried with the same ids until acknowledged.
        while (absl::Now() < give_up) {
          smartshop::v1::TrackBatchResponse response;
          grpc::Status status =
              stub->TrackBatch(TrackingHarness::Context(absl::Seconds(2)).get(),
                               request, &response);
          if (status.ok()) {
            absl::MutexLock lock(&mu);
            for (const auto& r : response.results()) {
              if (r.outcome() != smartshop::v1::REJECTED) {
                acknowledged.insert(r.event_id());
              }
            }
            break;
          }
          ++errors;
          absl::SleepFor(absl::Milliseconds(100));
        }
        ++batches_done;
        absl::SleepFor(absl::Milliseconds(20));  // a steady stream
      }
    });
  }

  // The outage, a quarter of the way in.
  while (batches_done < kProducers * kBatches / 4) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  postgres.Stop();
  const bool saw_not_serving = WaitForHealth(
      port, kTracking, grpc::health::v1::HealthCheckResponse::NOT_SERVING,
      absl::Seconds(6));
  postgres.Start();
  for (auto& t : producers) t.join();
  const absl::Duration took = absl::Now() - start;
  const bool serving_again = WaitForHealth(
      port, kTracking, grpc::health::v1::HealthCheckResponse::SERVING,
      absl::Seconds(10));

  const int lost = CountMissingEvents(
      postgres.url(),
      std::vector<std::string>(acknowledged.begin(), acknowledged.end()));
  const int stored = std::stoi(
      QueryScalar(postgres.url(), "SELECT count(*) FROM interactions"));
  const int total = kProducers * kBatches * kBatchSize;
  std::printf(
      "FAULT scenario=postgres_restart load=%.0f_events/s errors=%d lost=%d "
      "stored=%d of %d\n",
      total / absl::ToDoubleSeconds(took), errors.load(), lost, stored, total);
  EXPECT_TRUE(saw_not_serving) << "health never said NOT_SERVING";
  EXPECT_TRUE(serving_again) << "health never came back to SERVING";
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(static_cast<int>(acknowledged.size()), total);
  EXPECT_EQ(stored, total);  // once each
  EXPECT_GT(errors.load(), 0) << "the outage was not felt: test too weak";
}

}  // namespace
}  // namespace smartshop::testing
