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
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/private_postgres.h"
#include "tests/integration/service_process.h"
#include "tests/integration/test_database.h"
#include "tests/integration/tracking_harness.h"

namespace smartshop::testing {
namespace {

constexpr int kProducers = 4;
constexpr int kBatches = 40;
constexpr int kBatchSize = 50;

std::string EventId(int producer, int batch, int i) {
  return absl::StrFormat("%08x-0000-4000-8000-%012x", producer,
                         batch * kBatchSize + i);
}

grpc::health::v1::HealthCheckResponse::ServingStatus Health(
    grpc::health::v1::Health::Stub& stub) {
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("smartshop.v1.TrackingService");
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status status = stub.Check(
      TrackingHarness::Context(absl::Seconds(1)).get(), request, &response);
  return status.ok() ? response.status()
                     : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

TEST(PostgresRestartFault, AcknowledgedEventsAreStoredExactlyOnce) {
  PrivatePostgres postgres;
  ServiceProcess tracking(TRACKING_BINARY, {"--insecure_no_auth"},
                          {absl::StrCat("DATABASE_URL=", postgres.url())});
  const int port = tracking.WaitForPort();
  ASSERT_GT(port, 0) << tracking.log();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  const absl::Time ready_by = absl::Now() + absl::Seconds(30);
  while (Health(*health) != grpc::health::v1::HealthCheckResponse::SERVING &&
         absl::Now() < ready_by) {
    absl::SleepFor(absl::Milliseconds(100));
  }

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
  bool saw_not_serving = false;
  for (int i = 0; i < 60 && !saw_not_serving; ++i) {
    saw_not_serving =
        Health(*health) == grpc::health::v1::HealthCheckResponse::NOT_SERVING;
    absl::SleepFor(absl::Milliseconds(100));
  }
  postgres.Start();
  for (auto& t : producers) t.join();
  const absl::Duration took = absl::Now() - start;
  bool serving_again = false;
  for (int i = 0; i < 100 && !serving_again; ++i) {
    serving_again =
        Health(*health) == grpc::health::v1::HealthCheckResponse::SERVING;
    absl::SleepFor(absl::Milliseconds(100));
  }

  std::set<std::string> stored;
  {
    pqxx::connection connection(postgres.url());
    pqxx::read_transaction txn(connection);
    for (const auto& row :
         txn.exec("SELECT event_id::text FROM interactions")) {
      stored.insert(row[0].as<std::string>());
    }
  }
  int lost = 0;
  for (const std::string& id : acknowledged)
    lost += stored.contains(id) ? 0 : 1;
  const int total = kProducers * kBatches * kBatchSize;
  std::printf(
      "FAULT scenario=postgres_restart load=%.0f_events/s errors=%d lost=%d "
      "stored=%zu of %d\n",
      total / absl::ToDoubleSeconds(took), errors.load(), lost, stored.size(),
      total);
  EXPECT_TRUE(saw_not_serving) << "health never said NOT_SERVING";
  EXPECT_TRUE(serving_again) << "health never came back to SERVING";
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(static_cast<int>(acknowledged.size()), total);
  EXPECT_EQ(static_cast<int>(stored.size()), total);  // once each
  EXPECT_GT(errors.load(), 0) << "the outage was not felt: test too weak";
}

}  // namespace
}  // namespace smartshop::testing
