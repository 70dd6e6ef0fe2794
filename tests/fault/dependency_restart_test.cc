// Redis and the tracking service stopped and restarted, and Redis hung,
// while callers keep asking for recommendations and a producer keeps
// tracking events: no recommendation call fails or misses its deadline,
// caching resumes after Redis returns, a hung Redis costs calls and the
// event feed's invalidations no waiting once paused, the recommender answers
// from its catalog snapshot while tracking is away, and its event feed
// resumes without a gap. Each prints a "FAULT scenario=…" line for
// run_fault_suite.sh.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/integration/http_probe.h"
#include "tests/integration/recommender_harness.h"
#include "tests/integration/service_process.h"
#include "tests/testing/catalog_builders.h"
#include "tests/testing/eventually.h"
#include "tests/testing/private_redis.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::GetRecommendationsRequest;
using smartshop::v1::Recommendations;

constexpr int kCallers = 6;
constexpr absl::Duration kCallDeadline = absl::Seconds(2);

// Phases of a scenario; the load counts per phase.
enum Phase {
  kBefore = 0,
  kOutage = 1,
  kRecovering = 2,  // the dependency is back; clients reconnecting
  kAfter = 3,
  kPhases = 4
};

// kCallers threads calling GetRecommendations back to back until Stop().
class RecommendationLoad {
 public:
  // `fresh_users`: every call for a new user (always a cache miss), else
  // 30 users in turn (hits once cached).
  RecommendationLoad(smartshop::v1::RecommenderService::Stub* stub,
                     bool fresh_users,
                     absl::Duration call_deadline = kCallDeadline)
      : stub_(stub), fresh_users_(fresh_users), call_deadline_(call_deadline) {
    for (int t = 0; t < kCallers; ++t) {
      threads_.emplace_back([this, t] { Run(t); });
    }
  }
  ~RecommendationLoad() { Stop(); }

  void SetPhase(Phase phase) { phase_ = phase; }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  int64_t calls(Phase p) const { return calls_[p]; }
  int64_t hits(Phase p) const { return hits_[p]; }
  int64_t snapshot_answers(Phase p) const { return snapshot_answers_[p]; }
  int64_t total_calls() const {
    return calls_[kBefore] + calls_[kOutage] + calls_[kRecovering] +
           calls_[kAfter];
  }
  int64_t errors() const { return errors_; }
  std::string first_error() {
    absl::MutexLock lock(&mu_);
    return first_error_;
  }
  absl::Duration slowest() {
    absl::MutexLock lock(&mu_);
    return slowest_;
  }
  // The `q` quantile (0..1) of the latencies in `phase`; call after Stop().
  absl::Duration Quantile(Phase phase, double q) {
    absl::MutexLock lock(&mu_);
    std::vector<absl::Duration> took = took_[phase];
    if (took.empty()) return absl::ZeroDuration();
    const size_t i =
        std::min(took.size() - 1, static_cast<size_t>(q * took.size()));
    std::nth_element(took.begin(), took.begin() + i, took.end());
    return took[i];
  }

 private:
  void Run(int thread) {
    for (int64_t n = 0; !stop_; ++n) {
      GetRecommendationsRequest request;
      request.set_user_id(fresh_users_
                              ? absl::StrCat("fresh-", thread, "-", n)
                              : absl::StrCat("user-", (thread * 5 + n) % 30));
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(absl::Now() + call_deadline_));
      Recommendations answer;
      const Phase phase = phase_;
      const absl::Time start = absl::Now();
      grpc::Status status =
          stub_->GetRecommendations(&context, request, &answer);
      const absl::Duration took = absl::Now() - start;
      ++calls_[phase];
      if (answer.cache_hit()) ++hits_[phase];
      if (answer.strategy() == smartshop::v1::STRATEGY_FALLBACK &&
          absl::StrContains(answer.fallback_reason(), "tracking")) {
        ++snapshot_answers_[phase];
      }
      absl::MutexLock lock(&mu_);
      slowest_ = std::max(slowest_, took);
      took_[phase].push_back(took);
      if (!status.ok() || answer.items_size() != 8) {
        ++errors_;
        if (first_error_.empty()) {
          first_error_ = absl::StrCat(status.error_message(),
                                      " items=", answer.items_size());
        }
      }
    }
  }

  smartshop::v1::RecommenderService::Stub* const stub_;
  const bool fresh_users_;
  const absl::Duration call_deadline_;
  std::atomic<bool> stop_{false};
  std::atomic<Phase> phase_{kBefore};
  std::atomic<int64_t> calls_[kPhases] = {};
  std::atomic<int64_t> hits_[kPhases] = {};
  std::atomic<int64_t> snapshot_answers_[kPhases] = {};
  std::atomic<int64_t> errors_{0};
  absl::Mutex mu_;
  std::string first_error_;
  absl::Duration slowest_;
  std::vector<absl::Duration> took_[kPhases];
  std::vector<std::thread> threads_;
};

// A shop backend tracking one event every 20 ms through its own channel,
// retrying each event (same event_id) until acknowledged, as clients do.
// Events of `type` by `users` users named `user_prefix`0, 1, …
class EventProducer {
 public:
  explicit EventProducer(
      int tracking_port,
      smartshop::v1::InteractionType type = smartshop::v1::VIEW_PRODUCT,
      std::string user_prefix = "producer-", int users = 7)
      : type_(type),
        user_prefix_(std::move(user_prefix)),
        users_(users),
        stub_(smartshop::v1::TrackingService::NewStub(
            grpc::CreateChannel(absl::StrCat("127.0.0.1:", tracking_port),
                                grpc::InsecureChannelCredentials()))),
        thread_([this] { Run(); }) {}
  ~EventProducer() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // Acknowledged event ids; call after Stop().
  const std::vector<std::string>& acknowledged() const { return acked_; }
  int64_t retries() const { return retries_; }

 private:
  void Run() {
    for (int n = 0; !stop_; ++n) {
      smartshop::v1::TrackRequest request;
      auto* event = request.mutable_interaction();
      event->set_event_id(absl::StrCat("00000000-0000-4000-8000-",
                                       absl::Dec(n, absl::kZeroPad12)));
      event->set_user_id(absl::StrCat(user_prefix_, n % users_));
      event->set_type(type_);
      if (type_ == smartshop::v1::ADD_TO_CART) event->set_quantity(1);
      event->set_product_id(1 + n % 12);
      while (!stop_) {
        grpc::ClientContext context;
        context.set_deadline(
            absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
        smartshop::v1::TrackResponse response;
        if (stub_->Track(&context, request, &response).ok()) {
          acked_.push_back(event->event_id());
          break;
        }
        ++retries_;
        absl::SleepFor(absl::Milliseconds(50));
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
  }

  const smartshop::v1::InteractionType type_;
  const std::string user_prefix_;
  const int users_;
  std::unique_ptr<smartshop::v1::TrackingService::Stub> stub_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> retries_{0};
  std::vector<std::string> acked_;
  std::thread thread_;
};

int64_t QueryInt(const std::string& database_url, const std::string& sql) {
  return std::stoll(QueryScalar(database_url, sql));
}

// A recommender that ranks with its builtin model (no model calls), on
// `redis_url` ("" = the shared Redis), over a seeded catalog, its event
// feed caught up.
std::unique_ptr<RecommenderHarness> BuiltinRecommender(
    const std::string& redis_url = "") {
  RecommenderHarnessOptions options;
  options.redis_url = redis_url;
  options.use_model = false;
  options.builtin = true;
  // These scenarios count what Redis serves: no in-process copy in front.
  options.engine.local_cache.ttl = absl::ZeroDuration();
  auto h = std::make_unique<RecommenderHarness>(options);
  h->SeedCatalog();
  EXPECT_TRUE(
      Eventually([&] { return h->feed()->caught_up(); }, absl::Seconds(10)))
      << "the event feed did not catch up";
  return h;
}

TEST(RedisRestartFault, NoRecommendationFailsAndCachingResumes) {
  PrivateRedis redis;
  ASSERT_TRUE(redis.Start());
  const std::unique_ptr<RecommenderHarness> harness =
      BuiltinRecommender(redis.url());
  RecommenderHarness& h = *harness;
  ASSERT_TRUE(h.feed()->caught_up());
  EventProducer producer(h.tracking().port());
  RecommendationLoad load(&h.recommender(), /*fresh_users=*/false);
  absl::SleepFor(absl::Milliseconds(1500));
  ASSERT_GT(load.hits(kBefore), 0) << "nothing was cached before the fault";

  redis.Stop();  // returns once Redis is gone
  load.SetPhase(kOutage);
  absl::SleepFor(absl::Seconds(2));
  load.SetPhase(kAfter);
  redis.Start();
  absl::SleepFor(absl::Milliseconds(2500));
  load.Stop();
  producer.Stop();

  const int lost =
      CountMissingEvents(h.database_url(), producer.acknowledged());
  std::printf(
      "FAULT scenario=redis_restart load=%lld_calls_by_%d_callers errors=%lld "
      "lost=%d hits_before=%lld hits_during=%lld hits_after=%lld "
      "slowest_ms=%lld events=%zu\n",
      static_cast<long long>(load.total_calls()), kCallers,
      static_cast<long long>(load.errors()), lost,
      static_cast<long long>(load.hits(kBefore)),
      static_cast<long long>(load.hits(kOutage)),
      static_cast<long long>(load.hits(kAfter)),
      static_cast<long long>(absl::ToInt64Milliseconds(load.slowest())),
      producer.acknowledged().size());
  EXPECT_EQ(load.errors(), 0) << load.first_error();
  EXPECT_LT(load.slowest(), kCallDeadline);
  EXPECT_GT(load.calls(kOutage), 0) << "no call while Redis was down";
  EXPECT_EQ(load.hits(kOutage), 0) << "Redis was not down: test too weak";
  EXPECT_GT(load.hits(kAfter), 0) << "caching did not resume";
  EXPECT_GT(producer.acknowledged().size(), 0u);
  EXPECT_EQ(lost, 0);
}

TEST(TrackingRestartFault, AnswersFromTheSnapshotAndTheFeedMissesNothing) {
  const std::unique_ptr<RecommenderHarness> harness = BuiltinRecommender();
  RecommenderHarness& h = *harness;
  ASSERT_TRUE(h.feed()->caught_up());
  EventProducer producer(h.tracking().port());
  // Every call for a new user: each is a miss that needs tracking.
  RecommendationLoad load(&h.recommender(), /*fresh_users=*/true);
  absl::SleepFor(absl::Milliseconds(1500));

  load.SetPhase(kOutage);
  h.StopTracking();
  absl::SleepFor(absl::Seconds(2));
  h.RestartTracking();
  load.SetPhase(kRecovering);
  // The channel reconnects within about 1 s (TrackingChannelArguments);
  // from the first answer that is not from the snapshot on, none may be.
  const bool reconnected = Eventually(
      [&] {
        GetRecommendationsRequest probe;
        probe.set_user_id(
            absl::StrCat("probe-", absl::ToUnixNanos(absl::Now())));
        Recommendations answer;
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
        return h.recommender()
                   .GetRecommendations(&context, probe, &answer)
                   .ok() &&
               answer.strategy() != smartshop::v1::STRATEGY_FALLBACK;
      },
      absl::Seconds(10));
  ASSERT_TRUE(reconnected) << "still answering from the snapshot";
  load.SetPhase(kAfter);
  absl::SleepFor(absl::Milliseconds(1500));
  load.Stop();
  producer.Stop();

  // The feed must have learnt every stored event exactly once: the log's
  // newest position reached and as many events seen as the table holds.
  const std::string url = h.database_url();
  const bool feed_complete = Eventually(
      [&] {
        return h.feed()->last_sequence() ==
                   QueryInt(url,
                            "SELECT coalesce(max(id), 0) FROM interactions") &&
               h.model()->events_observed() ==
                   QueryInt(url, "SELECT count(*) FROM interactions");
      },
      absl::Seconds(5));
  const int lost = CountMissingEvents(url, producer.acknowledged());
  const int64_t stored = QueryInt(url, "SELECT count(*) FROM interactions");
  const int64_t unseen = stored - h.model()->events_observed();
  std::printf(
      "FAULT scenario=tracking_restart load=%lld_calls_by_%d_callers "
      "errors=%lld lost=%lld snapshot_answers=%lld events=%zu retries=%lld "
      "feed_reconnects=%lld\n",
      static_cast<long long>(load.total_calls()), kCallers,
      static_cast<long long>(load.errors()),
      static_cast<long long>(lost + std::max<int64_t>(unseen, 0)),
      static_cast<long long>(load.snapshot_answers(kOutage)),
      producer.acknowledged().size(),
      static_cast<long long>(producer.retries()),
      static_cast<long long>(h.feed()->reconnects()));
  EXPECT_EQ(load.errors(), 0) << load.first_error();
  EXPECT_LT(load.slowest(), kCallDeadline);
  EXPECT_GT(load.snapshot_answers(kOutage), 0)
      << "no answer from the snapshot while tracking was away";
  EXPECT_EQ(load.snapshot_answers(kAfter), 0) << "tracking did not come back";
  EXPECT_GT(producer.retries(), 0) << "the outage was not felt: test too weak";
  EXPECT_EQ(lost, 0);
  EXPECT_TRUE(feed_complete)
      << "feed at " << h.feed()->last_sequence() << ", learnt "
      << h.model()->events_observed() << " of " << stored;
  EXPECT_GE(h.feed()->reconnects(), 1);
}

// A value from a Prometheus text page ("name value" lines); -1 if absent.
double MetricValue(const std::string& page, const std::string& name) {
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    if (absl::StartsWith(line, name + " ")) {
      return std::stod(line.substr(name.size() + 1));
    }
  }
  return -1;
}

// The sum of a family's series ("name{labels} value" lines); 0 if none.
double MetricSum(const std::string& page, const std::string& name) {
  std::istringstream lines(page);
  std::string line;
  double sum = 0;
  while (std::getline(lines, line)) {
    if (absl::StartsWith(line, name + "{")) {
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return sum;
}

// Redis frozen (SIGSTOP: it still accepts connections, answers nothing)
// under load, against the recommender binary with its defaults: a 100 ms
// Redis command timeout, 3 timeouts in a row pausing Redis for 5 s.
TEST(RedisHungFault, CallsStayWithinTheirDeadlineAndTheFeedKeepsUp) {
  constexpr absl::Duration kPageDeadline = absl::Milliseconds(300);
  constexpr absl::Duration kHang = absl::Seconds(7);  // > one 5 s pause
  PrivateRedis redis;
  ASSERT_TRUE(redis.Start());
  TestDatabase db;
  TrackingHarness tracking(db.url());
  smartshop::v1::UpsertProductsRequest products = NumberedProducts(20, 10);
  smartshop::v1::UpsertProductsResponse upserted;
  ASSERT_TRUE(
      tracking.catalog()
          .UpsertProducts(TrackingHarness::Context().get(), products, &upserted)
          .ok());
  // No model configured: the builtin ranker ranks, so no model calls.
  ServiceProcess recommender(
      RECOMMENDER_BINARY,
      {absl::StrCat("--tracking_target=127.0.0.1:", tracking.port()),
       absl::StrCat("--redis_url=", redis.url()), "--insecure_no_auth",
       "--local_cache_ttl=0"},
      {"OPENAI_API_KEY="});
  const int port = recommender.WaitForPort();
  ASSERT_GT(port, 0) << recommender.log();
  const int admin = recommender.AdminPort();
  ASSERT_GT(admin, 0) << recommender.log();
  auto metric = [&](const std::string& name) {
    return MetricValue(HttpGet(admin, "/metrics").body, name);
  };
  ASSERT_TRUE(Eventually(
      [&] {
        return metric("smartshop_recommender_builtin_model_caught_up") == 1;
      },
      absl::Seconds(10)))
      << recommender.log();
  auto stub = smartshop::v1::RecommenderService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  // The callers' own users add to their carts: every event drops a cached
  // answer, through the event feed.
  EventProducer producer(tracking.port(), smartshop::v1::ADD_TO_CART, "user-",
                         30);
  RecommendationLoad load(stub.get(), /*fresh_users=*/false, kPageDeadline);
  absl::SleepFor(absl::Milliseconds(1500));
  ASSERT_GT(load.hits(kBefore), 0) << "nothing was cached before the fault";

  redis.Pause();
  load.SetPhase(kOutage);
  absl::SleepFor(kHang);
  // The feed has applied, within a second, every event stored until now,
  // although each applied event asked the hung Redis to delete an answer.
  const int64_t newest =
      QueryInt(db.url(), "SELECT coalesce(max(id), 0) FROM interactions");
  const bool feed_kept_up = Eventually(
      [&] { return metric("smartshop_recommender_feed_position") >= newest; },
      absl::Seconds(1));
  const double breaker_open_during =
      metric("smartshop_recommender_redis_breaker_open");
  const double short_circuited =
      metric("smartshop_recommender_redis_short_circuited_total");
  redis.Resume();
  load.SetPhase(kAfter);
  // The next probe is at most one pause (5 s) away.
  const bool hits_again =
      Eventually([&] { return load.hits(kAfter) > 0; }, absl::Seconds(8));
  absl::SleepFor(absl::Milliseconds(500));
  load.Stop();
  producer.Stop();
  const double breaker_open_after =
      metric("smartshop_recommender_redis_breaker_open");
  const std::string page = HttpGet(admin, "/metrics").body;
  const double invalidation_errors = MetricValue(
      page,
      "smartshop_recommender_event_invalidations_total{result=\"error\"}");

  const double model_calls =
      MetricSum(page, "smartshop_recommender_model_calls_total");
  const int lost = CountMissingEvents(db.url(), producer.acknowledged());
  std::printf(
      "FAULT scenario=redis_hung load=%lld_calls_by_%d_callers errors=%lld "
      "lost=%d deadline_ms=%lld slowest_ms=%lld p99_ms=%lld "
      "p50_hung_ms=%lld p99_hung_ms=%lld hits_before=%lld hits_during=%lld "
      "hits_after=%lld short_circuited=%.0f failed_invalidations=%.0f "
      "events=%zu model_calls=%.0f\n",
      static_cast<long long>(load.total_calls()), kCallers,
      static_cast<long long>(load.errors()), lost,
      static_cast<long long>(absl::ToInt64Milliseconds(kPageDeadline)),
      static_cast<long long>(absl::ToInt64Milliseconds(load.slowest())),
      static_cast<long long>(absl::ToInt64Milliseconds(
          std::max({load.Quantile(kBefore, 0.99), load.Quantile(kOutage, 0.99),
                    load.Quantile(kAfter, 0.99)}))),
      static_cast<long long>(
          absl::ToInt64Milliseconds(load.Quantile(kOutage, 0.5))),
      static_cast<long long>(
          absl::ToInt64Milliseconds(load.Quantile(kOutage, 0.99))),
      static_cast<long long>(load.hits(kBefore)),
      static_cast<long long>(load.hits(kOutage)),
      static_cast<long long>(load.hits(kAfter)), short_circuited,
      invalidation_errors, producer.acknowledged().size(), model_calls);
  EXPECT_EQ(load.errors(), 0) << load.first_error();
  EXPECT_LT(load.slowest(), kPageDeadline);
  EXPECT_GT(load.calls(kOutage), 0) << "no call while Redis was hung";
  EXPECT_EQ(load.hits(kOutage), 0) << "Redis was not hung: test too weak";
  // Paused, hits and misses go straight to the computed answer: without
  // the pause each would wait 100 ms for GET and 100 ms for SET.
  EXPECT_LT(load.Quantile(kOutage, 0.5), absl::Milliseconds(50));
  EXPECT_EQ(breaker_open_during, 1);
  EXPECT_GT(short_circuited, 0);
  EXPECT_TRUE(feed_kept_up) << "the event feed fell behind while Redis hung";
  EXPECT_GT(invalidation_errors, 0) << "no invalidation met the hung Redis";
  EXPECT_TRUE(hits_again) << "caching did not resume after SIGCONT";
  EXPECT_EQ(breaker_open_after, 0);
  EXPECT_EQ(model_calls, 0) << "no model was configured";
  PromtoolResult check = PromtoolCheckMetrics(page);
  EXPECT_EQ(check.exit_code, 0) << check.output;
  EXPECT_EQ(lost, 0);
  recommender.Terminate();
  EXPECT_EQ(recommender.WaitForExit(absl::Seconds(30)), 0);
}

}  // namespace
}  // namespace smartshop::testing
