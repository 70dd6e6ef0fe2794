// Page-render deadlines against a slow model, on the real binaries: a hot
// anonymous key and a few users called with a 300 ms deadline while the
// model takes 1.5 s (every call answered in time, the model's answer
// reaches the cache and later callers, the model called once per key); and
// two recommender replicas on one Redis, one erasing and invalidating while
// the other is still computing (nothing computed before the erasure is
// stored). Each prints a "FAULT scenario=…" line for run_fault_suite.sh.
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tests/integration/https_fake_openai.h"
#include "tests/integration/recommender_harness.h"
#include "tests/integration/service_process.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Recommendations;

constexpr absl::Duration kPageDeadline = absl::Milliseconds(300);

fake_openai::FakeReply SlowModel(absl::Duration delay) {
  // As the request asks (the service asks for structured output).
  fake_openai::FakeReply reply = fake_openai::FakeReply::Recommendations(
      fake_openai::DefaultRecommendations());
  reply.delay = delay;
  return reply;
}

// A shop with 20 products and a few viewers, served by tracking in-process.
class Shop {
 public:
  Shop() : tracking_(db_.url()) {
    smartshop::v1::UpsertProductsRequest products = NumberedProducts(20);
    smartshop::v1::UpsertProductsResponse upserted;
    EXPECT_TRUE(tracking_.catalog()
                    .UpsertProducts(TrackingHarness::Context().get(), products,
                                    &upserted)
                    .ok());
    smartshop::v1::TrackBatchRequest events;
    for (int u = 0; u < 10; ++u) {
      for (int p : {1 + u % 20, 2 + u % 19}) {
        auto* e = events.add_interactions();
        e->set_user_id(absl::StrCat("u", u));
        e->set_type(smartshop::v1::VIEW_PRODUCT);
        e->set_product_id(p);
      }
    }
    smartshop::v1::TrackBatchResponse tracked;
    EXPECT_TRUE(
        tracking_.tracking()
            .TrackBatch(TrackingHarness::Context().get(), events, &tracked)
            .ok());
  }
  int port() const { return tracking_.port(); }

 private:
  TestDatabase db_;
  TrackingHarness tracking_;
};

// A recommender binary against `shop`, the fixture's Redis under `prefix`
// and the fake model.
std::unique_ptr<ServiceProcess> StartRecommender(const Shop& shop,
                                                 const std::string& prefix,
                                                 HttpsFakeOpenAi& model) {
  auto process = std::make_unique<ServiceProcess>(
      RECOMMENDER_BINARY,
      std::vector<std::string>{
          absl::StrCat("--tracking_target=127.0.0.1:", shop.port()),
          absl::StrCat("--redis_url=", ReadTestEnv()["REDIS_URL"]),
          absl::StrCat("--cache_prefix=", prefix), "--insecure_no_auth"},
      model.Env("sk-test-page-deadline"));
  EXPECT_GT(process->WaitForPort(), 0) << process->log();
  return process;
}

std::unique_ptr<smartshop::v1::RecommenderService::Stub> Stub(
    ServiceProcess& process) {
  return smartshop::v1::RecommenderService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", process.WaitForPort()),
                          grpc::InsecureChannelCredentials()));
}

// Ready: the catalog is loaded and the history learnt.
void AwaitAnswers(smartshop::v1::RecommenderService::Stub& stub) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  while (absl::Now() < give_up) {
    GetRecommendationsRequest request;
    request.set_user_id("warm-up");
    Recommendations reply;
    if (stub.GetRecommendations(
                TrackingHarness::Context(absl::Seconds(1)).get(), request,
                &reply)
            .ok() &&
        reply.items_size() == 8) {
      return;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ADD_FAILURE() << "the recommender never answered";
}

TEST(PageDeadlineFault, SlowModelHotKeyEveryCallInTimeAndTheModelAnswerKept) {
  Shop shop;
  HttpsFakeOpenAi model(SlowModel(absl::Milliseconds(1500)));
  const std::string prefix = absl::StrCat("page_deadline_", getpid(), "_");
  auto recommender = StartRecommender(shop, prefix, model);
  auto stub = Stub(*recommender);
  AwaitAnswers(*stub);
  const size_t calls_before = model.server().requests().size();

  constexpr int kCallers = 8;
  constexpr absl::Duration kLoad = absl::Seconds(8);
  std::atomic<int64_t> calls{0}, errors{0}, model_answers{0};
  std::atomic<int64_t> worst_us{0};
  const absl::Time stop = absl::Now() + kLoad;
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      for (int round = 0; absl::Now() < stop; ++round) {
        // Six callers on the shared anonymous key, two on four users each.
        GetRecommendationsRequest request;
        if (c >= 6)
          request.set_user_id(absl::StrCat("u", (c - 6) * 4 + round % 4));
        Recommendations reply;
        const absl::Time start = absl::Now();
        grpc::Status status = stub->GetRecommendations(
            TrackingHarness::Context(kPageDeadline).get(), request, &reply);
        const int64_t took = absl::ToInt64Microseconds(absl::Now() - start);
        int64_t seen = worst_us.load();
        while (took > seen && !worst_us.compare_exchange_weak(seen, took)) {
        }
        ++calls;
        if (!status.ok() || reply.items_size() != 8) {
          ++errors;
        } else if (reply.strategy() == smartshop::v1::STRATEGY_MODEL) {
          ++model_answers;
        }
        absl::SleepFor(absl::Milliseconds(10));
      }
    });
  }
  for (auto& t : callers) t.join();
  const size_t model_calls = model.server().requests().size() - calls_before;
  std::printf(
      "FAULT scenario=model_slow_hot_key load=%lld_calls_in_%s errors=%lld "
      "lost=- slowest_ms=%lld deadline_ms=%lld model_calls=%zu "
      "model_answers=%lld\n",
      static_cast<long long>(calls.load()), absl::FormatDuration(kLoad).c_str(),
      static_cast<long long>(errors.load()),
      static_cast<long long>(worst_us.load() / 1000),
      static_cast<long long>(absl::ToInt64Milliseconds(kPageDeadline)),
      model_calls, static_cast<long long>(model_answers.load()));
  EXPECT_EQ(errors.load(), 0);
  EXPECT_LT(worst_us.load(), absl::ToInt64Microseconds(kPageDeadline));
  // The model's answers reached the cache despite every caller's deadline.
  EXPECT_GT(model_answers.load(), calls.load() / 2);
  // Once per key: the anonymous one and the 8 users (plus the warm-up's).
  EXPECT_LE(model_calls, 1u + 8u + 1u);
  recommender->Terminate();
  EXPECT_EQ(recommender->WaitForExit(absl::Seconds(30)), 0);
}

TEST(PageDeadlineFault, TwoReplicasEraseAndInvalidateWhileTheOtherComputes) {
  Shop shop;
  HttpsFakeOpenAi model(SlowModel(absl::Milliseconds(1000)));
  const std::string prefix = absl::StrCat("two_replicas_", getpid(), "_");
  auto replica_a = StartRecommender(shop, prefix, model);
  auto replica_b = StartRecommender(shop, prefix, model);
  auto a = Stub(*replica_a);
  auto b = Stub(*replica_b);
  AwaitAnswers(*a);
  AwaitAnswers(*b);
  const std::string redis = ReadTestEnv()["REDIS_URL"];

  // B starts computing for a user (its caller gives up at 300 ms), A
  // erases the user meanwhile; and B's answer for a user nobody erases,
  // to show that B's computations do reach the cache.
  constexpr int kUsers = 5;
  int stale = 0, calls = 0, errors = 0;
  for (int u = 0; u < kUsers; ++u) {
    for (const std::string& user :
         {absl::StrCat("u", u), absl::StrCat("u", u + 5)}) {
      GetRecommendationsRequest request;
      request.set_user_id(user);
      Recommendations reply;
      ++calls;
      if (!b->GetRecommendations(TrackingHarness::Context(kPageDeadline).get(),
                                 request, &reply)
               .ok()) {
        ++errors;
      }
    }
    smartshop::v1::DeleteUserDataRequest erase;
    erase.set_user_id(absl::StrCat("u", u));
    smartshop::v1::DeleteUserDataResponse erased;
    ++calls;
    if (!a->DeleteUserData(TrackingHarness::Context().get(), erase, &erased)
             .ok()) {
      ++errors;
    }
  }
  absl::SleepFor(absl::Milliseconds(2000));  // B's model calls are done
  int kept = 0;
  for (int u = 0; u < kUsers; ++u) {
    if (RedisPttl(redis, absl::StrCat(prefix, "u", u)) != -2) ++stale;
    if (RedisPttl(redis, absl::StrCat(prefix, "u", u + 5)) > 0) ++kept;
  }
  // Anonymous: B computes, A invalidates everything.
  {
    Recommendations reply;
    ++calls;
    if (!b->GetRecommendations(TrackingHarness::Context(kPageDeadline).get(),
                               GetRecommendationsRequest(), &reply)
             .ok()) {
      ++errors;
    }
    smartshop::v1::InvalidateRecommendationsRequest all;
    all.set_all(true);
    smartshop::v1::InvalidateRecommendationsResponse invalidated;
    ++calls;
    if (!a->InvalidateRecommendations(TrackingHarness::Context().get(), all,
                                      &invalidated)
             .ok()) {
      ++errors;
    }
  }
  absl::SleepFor(absl::Milliseconds(2000));
  if (RedisPttl(redis, absl::StrCat(prefix, "anonymous")) != -2) ++stale;
  std::printf(
      "FAULT scenario=two_replicas load=%d_calls errors=%d lost=- "
      "stale_stored=%d kept=%d/%d model_calls=%zu\n",
      calls, errors, stale, kept, kUsers, model.server().requests().size());
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(stale, 0) << "an answer computed before an erasure was stored";
  // B's computations for users nobody erased did reach the cache: the
  // erased ones were kept out by the fence, not by chance.
  EXPECT_EQ(kept, kUsers);
  replica_a->Terminate();
  replica_b->Terminate();
  EXPECT_EQ(replica_a->WaitForExit(absl::Seconds(30)), 0);
  EXPECT_EQ(replica_b->WaitForExit(absl::Seconds(30)), 0);
}

}  // namespace
}  // namespace smartshop::testing
