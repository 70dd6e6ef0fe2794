// Fault: overload. A recommender with 4 server threads, a model that hangs
// (every miss holds a thread until the caller's deadline) and 48 callers
// that never stop: every call is answered within its deadline or refused at
// once with RESOURCE_EXHAUSTED, the process survives, and its memory stays
// bounded.
#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tests/integration/https_fake_openai.h"
#include "tests/integration/service_process.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

constexpr int kCallers = 48;
constexpr absl::Duration kLoad = absl::Seconds(5);
constexpr absl::Duration kCallDeadline = absl::Milliseconds(800);

// Resident memory of `pid` in bytes (0 if unknown).
int64_t ResidentBytes(int pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoll(line.substr(6)) * 1024;
    }
  }
  return 0;
}

TEST(OverloadFault, CallsAreAnsweredInTimeOrRefusedAndMemoryStaysBounded) {
  TestDatabase db;
  TrackingHarness tracking(db.url());
  smartshop::v1::UpsertProductsRequest products = NumberedProducts(20);
  smartshop::v1::UpsertProductsResponse upserted;
  ASSERT_TRUE(
      tracking.catalog()
          .UpsertProducts(TrackingHarness::Context().get(), products, &upserted)
          .ok());

  HttpsFakeOpenAi fake(fake_openai::FakeReply::Hang(absl::Seconds(30)));
  std::vector<std::string> env = fake.Env("sk-test-overload");

  ServiceProcess recommender(
      RECOMMENDER_BINARY,
      {absl::StrCat("--tracking_target=127.0.0.1:", tracking.port()),
       absl::StrCat("--redis_url=", ReadTestEnv()["REDIS_URL"]),
       "--server_threads=4", "--follow_events=false", "--insecure_no_auth"},
      env);
  const int port = recommender.WaitForPort();
  ASSERT_GT(port, 0) << recommender.log();
  const int pid = recommender.pid();
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  auto stub = smartshop::v1::RecommenderService::NewStub(channel);

  // Events, so that recommendations ask the model.
  smartshop::v1::TrackBatchRequest events;
  for (int c = 0; c < kCallers; ++c) {
    auto* e = events.add_interactions();
    e->set_user_id(absl::StrCat("caller-", c));
    e->set_type(smartshop::v1::VIEW_PRODUCT);
    e->set_product_id(1 + c % 20);
  }
  smartshop::v1::TrackBatchResponse tracked;
  ASSERT_TRUE(
      tracking.tracking()
          .TrackBatch(TrackingHarness::Context().get(), events, &tracked)
          .ok());

  const int64_t baseline = ResidentBytes(pid);
  std::atomic<int64_t> answered{0}, refused{0}, late{0}, other{0};
  std::atomic<bool> done{false};
  std::atomic<int64_t> peak{baseline};
  std::thread sampler([&] {
    while (!done) {
      peak = std::max(peak.load(), ResidentBytes(pid));
      absl::SleepFor(absl::Milliseconds(50));
    }
  });
  const absl::Time stop = absl::Now() + kLoad;
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; absl::Now() < stop; ++round) {
        // A new user each time: a cache miss that asks the model (the
        // summary holds everyone's events).
        smartshop::v1::GetRecommendationsRequest request;
        request.set_user_id(absl::StrCat("caller-", c, "-", round));
        smartshop::v1::Recommendations reply;
        auto context = TrackingHarness::Context(kCallDeadline);
        const absl::Time start = absl::Now();
        grpc::Status status =
            stub->GetRecommendations(context.get(), request, &reply);
        if (status.ok()) {
          ++answered;
        } else if (status.error_code() ==
                   grpc::StatusCode::RESOURCE_EXHAUSTED) {
          ++refused;
          absl::SleepFor(absl::Milliseconds(20));  // a polite client
        } else if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          ++late;
        } else {
          ++other;
          ADD_FAILURE() << status.error_code() << " " << status.error_message();
        }
        EXPECT_LT(absl::Now() - start, kCallDeadline + absl::Milliseconds(500));
      }
    });
  }
  for (auto& t : callers) t.join();
  done = true;
  sampler.join();

  const int64_t total = answered + refused + late + other;
  std::printf(
      "FAULT scenario=overload load=%lld_calls_in_%s errors=%lld lost=0 "
      "answered=%lld refused=%lld late=%lld rss_baseline_mb=%lld "
      "rss_peak_mb=%lld\n",
      static_cast<long long>(total), absl::FormatDuration(kLoad).c_str(),
      static_cast<long long>(late + other), static_cast<long long>(answered),
      static_cast<long long>(refused), static_cast<long long>(late),
      static_cast<long long>(baseline >> 20),
      static_cast<long long>(peak.load() >> 20));
  EXPECT_GT(answered.load(), 0);
  EXPECT_GT(refused.load(), 0) << "not overloaded: the test proves nothing";
  EXPECT_EQ(other.load(), 0);
  // A loaded 2-core machine may be a little late now and then, never often.
  EXPECT_LE(late.load(), total / 20);
  EXPECT_LT(peak.load() - baseline, int64_t{256} << 20);
  // Still alive and well after the storm.
  smartshop::v1::GetRecommendationsRequest request;
  smartshop::v1::Recommendations reply;
  EXPECT_TRUE(
      stub->GetRecommendations(TrackingHarness::Context(absl::Seconds(5)).get(),
                               request, &reply)
          .ok());
  recommender.Terminate();
  EXPECT_EQ(recommender.WaitForExit(absl::Seconds(30)), 0);
}

}  // namespace
}  // namespace smartshop::testing
