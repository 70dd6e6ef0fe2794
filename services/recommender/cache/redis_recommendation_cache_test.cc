// Against real Redis servers: the shared one from the ctest `services`
// fixture, and private ones for the tests that stop or break theirs.
#include "services/recommender/cache/redis_recommendation_cache.h"

#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/recommender/cache/redis_model_reply_store.h"
#include "tests/testing/eventually.h"
#include "tests/testing/loopback_port.h"
#include "tests/testing/private_redis.h"
#include "tests/testing/raw_redis_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_database.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::DeadPort;
using ::smartshop::testing::LoopbackRedisUrl;
using ::smartshop::testing::PrivateRedis;
using ::smartshop::testing::RawRedisClient;
using ::smartshop::testing::StatusIs;
using ::smartshop::v1::Recommendations;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Time Soon() { return absl::Now() + absl::Seconds(2); }

Recommendations Sample(const std::string& reason) {
  Recommendations r;
  r.set_strategy(v1::STRATEGY_MODEL);
  r.mutable_generated_at()->set_seconds(1700000000);
  v1::RecommendationItem* item = r.add_items();
  item->mutable_product()->set_name("Espresso cups");
  item->set_relevance_score(92.5);
  item->set_reason(reason);
  item->set_source(v1::MODEL);
  return r;
}

bool Same(const Recommendations& a, const Recommendations& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

std::unique_ptr<RedisRecommendationCache> MakeCache(RedisCacheOptions options) {
  absl::StatusOr<std::unique_ptr<RedisRecommendationCache>> cache =
      RedisRecommendationCache::Create(std::move(options));
  EXPECT_TRUE(cache.ok()) << cache.status();
  return cache.ok() ? std::move(*cache) : nullptr;
}

class SharedRedisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = smartshop::testing::ReadTestEnv()["REDIS_URL"];
    ASSERT_FALSE(url_.empty()) << "REDIS_URL missing from the test env file";
    RedisCacheOptions options;
    options.url = url_;
    cache_ = MakeCache(options);
    ASSERT_NE(cache_, nullptr);
    // Other test processes share this server: every key of this test lives
    // under its own prefix.
    const ::testing::TestInfo* info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = absl::StrCat("cache_test:", getpid(), ":", info->name(), ":");
  }
  void TearDown() override {
    if (cache_ != nullptr) {
      cache_->DeletePrefix(prefix_, Soon()).status().IgnoreError();
    }
  }

  std::string url_;
  std::string prefix_;
  std::unique_ptr<RedisRecommendationCache> cache_;
};

TEST_F(SharedRedisTest, GetOfAMissingKeyIsNullopt) {
  absl::StatusOr<std::optional<Recommendations>> got =
      cache_->Get(prefix_ + "nobody", Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
  EXPECT_EQ(cache_->stats().misses, 1);
  EXPECT_EQ(cache_->stats().hits, 0);
}

TEST_F(SharedRedisTest, GetReturnsWhatWasSet) {
  const Recommendations value = Sample("You bought a grinder");
  ASSERT_TRUE(
      cache_->Set(prefix_ + "u1", value, absl::Seconds(60), Soon()).ok());
  absl::StatusOr<std::optional<Recommendations>> got =
      cache_->Get(prefix_ + "u1", Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_TRUE(Same(**got, value)) << (*got)->DebugString();
  EXPECT_EQ(cache_->stats().hits, 1);
  EXPECT_EQ(cache_->stats().errors, 0);
}

// The model's stored replies beside the entries (RedisModelReplyStore).
TEST_F(SharedRedisTest, ModelRepliesAreKeptAsStoredWithTheirTtl) {
  RedisModelReplyStore store(cache_.get());
  const std::string key = prefix_ + "smartshop:model_reply:ab12";
  auto missing = store.Get(key, Soon());
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_FALSE(missing->has_value());
  ASSERT_TRUE(
      store
          .Put(key, {.content = "{\"recommendations\":[]}", .structured = true},
               absl::Hours(24), Soon())
          .ok());
  auto got = store.Get(key, Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->content, "{\"recommendations\":[]}");
  EXPECT_TRUE((*got)->structured);
  RawRedisClient raw(url_);
  RedisReply pttl = raw.Command({"PTTL", key});
  ASSERT_NE(pttl, nullptr);
  EXPECT_GT(pttl->integer, 23 * 3600 * 1000);
  // Not the answers' hits and misses.
  EXPECT_EQ(cache_->stats().hits + cache_->stats().misses, 0);
  // Something else under the key reads as a miss.
  raw.Command({"SET", key, "garbage"});
  got = store.Get(key, Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST_F(SharedRedisTest, EntryExpiresAfterItsTtl) {
  const std::string key = prefix_ + "short";
  ASSERT_TRUE(
      cache_->Set(key, Sample("soon gone"), absl::Milliseconds(300), Soon())
          .ok());
  RawRedisClient raw(url_);
  RedisReply pttl = raw.Command({"PTTL", key});
  ASSERT_NE(pttl, nullptr);
  ASSERT_EQ(pttl->type, REDIS_REPLY_INTEGER);
  EXPECT_GT(pttl->integer, 0);
  EXPECT_LE(pttl->integer, 300);

  absl::SleepFor(absl::Milliseconds(400));
  absl::StatusOr<std::optional<Recommendations>> got = cache_->Get(key, Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST_F(SharedRedisTest, SetRejectsANonPositiveTtl) {
  EXPECT_EQ(
      cache_->Set(prefix_ + "k", Sample("x"), absl::ZeroDuration(), Soon())
          .code(),
      absl::StatusCode::kInvalidArgument);
}

TEST_F(SharedRedisTest, DeleteRemovesTheEntry) {
  const std::string key = prefix_ + "u1";
  ASSERT_TRUE(cache_->Set(key, Sample("x"), absl::Seconds(60), Soon()).ok());
  absl::StatusOr<int64_t> deleted = cache_->Delete(key, Soon());
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_FALSE(cache_->Get(key, Soon())->has_value());
  EXPECT_EQ(*cache_->Delete(key, Soon()), 0);
}

// Two cache objects on one Redis stand for two recommender replicas: what
// one invalidates, the other cannot store from data read before.
TEST_F(SharedRedisTest, SetUnlessInvalidatedStoresWhileTheFenceHolds) {
  const std::string key = prefix_ + "u1";
  absl::StatusOr<RecommendationCache::Fence> fence =
      cache_->ReadFence(key, prefix_, Soon());
  ASSERT_TRUE(fence.ok()) << fence.status();
  absl::StatusOr<bool> stored = cache_->SetUnlessInvalidated(
      key, prefix_, Sample("fresh"), absl::Seconds(60), *fence, Soon());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(*stored);
  EXPECT_TRUE(cache_->Get(key, Soon())->has_value());
}

TEST_F(SharedRedisTest, ADeleteByAnotherReplicaFencesOffAnOlderAnswer) {
  std::unique_ptr<RedisRecommendationCache> other = MakeCache({.url = url_});
  const std::string key = prefix_ + "u1";
  absl::StatusOr<RecommendationCache::Fence> fence =
      cache_->ReadFence(key, prefix_, Soon());
  ASSERT_TRUE(fence.ok()) << fence.status();
  // The other replica erases the user while this one computes.
  ASSERT_TRUE(other->Delete(key, Soon()).ok());
  absl::StatusOr<bool> stored = cache_->SetUnlessInvalidated(
      key, prefix_, Sample("built from erased data"), absl::Seconds(60), *fence,
      Soon());
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(*stored);
  EXPECT_FALSE(cache_->Get(key, Soon())->has_value());
  // The fence key expires by itself, long after any computation.
  RawRedisClient raw(url_);
  RedisReply pttl = raw.Command({"PTTL", "smartshop:fence:" + key});
  ASSERT_NE(pttl, nullptr);
  EXPECT_GT(pttl->integer, 0);
  // A computation that read the fence after the delete may store.
  fence = cache_->ReadFence(key, prefix_, Soon());
  ASSERT_TRUE(fence.ok());
  EXPECT_TRUE(*cache_->SetUnlessInvalidated(key, prefix_, Sample("new"),
                                            absl::Seconds(60), *fence, Soon()));
  raw.Command({"DEL", "smartshop:fence:" + key});
}

TEST_F(SharedRedisTest, AFenceThatExpiredNeverRepeatsAValueReadBefore) {
  const std::string key = prefix_ + "u3";
  RawRedisClient raw(url_);
  ASSERT_TRUE(cache_->Delete(key, Soon()).ok());
  absl::StatusOr<RecommendationCache::Fence> fence =
      cache_->ReadFence(key, prefix_, Soon());
  ASSERT_TRUE(fence.ok());
  // The fence expires under a computation, then another delete comes.
  raw.Command({"DEL", "smartshop:fence:" + key});
  ASSERT_TRUE(cache_->Delete(key, Soon()).ok());
  EXPECT_FALSE(*cache_->SetUnlessInvalidated(
      key, prefix_, Sample("old"), absl::Seconds(60), *fence, Soon()));
  raw.Command({"DEL", "smartshop:fence:" + key});
}

TEST_F(SharedRedisTest, DeletePrefixByAnotherReplicaFencesOffEveryKey) {
  std::unique_ptr<RedisRecommendationCache> other = MakeCache({.url = url_});
  const std::string key = prefix_ + "u2";
  absl::StatusOr<RecommendationCache::Fence> fence =
      cache_->ReadFence(key, prefix_, Soon());
  ASSERT_TRUE(fence.ok());
  ASSERT_TRUE(other->DeletePrefix(prefix_, Soon()).ok());
  EXPECT_FALSE(*cache_->SetUnlessInvalidated(
      key, prefix_, Sample("old"), absl::Seconds(60), *fence, Soon()));
  EXPECT_FALSE(cache_->Get(key, Soon())->has_value());
  RawRedisClient raw(url_);
  raw.Command({"DEL", "smartshop:fence-all:" + prefix_});
}

TEST_F(SharedRedisTest, DeletePrefixDeletesOnlyMatchingKeys) {
  const std::string users = prefix_ + "user:";
  for (const std::string& key :
       {users + "1", users + "2", users + "3:x", prefix_ + "anonymous",
        prefix_ + "use", prefix_ + "xuser:1"}) {
    ASSERT_TRUE(cache_->Set(key, Sample("x"), absl::Seconds(60), Soon()).ok());
  }
  absl::StatusOr<int64_t> deleted = cache_->DeletePrefix(users, Soon());
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 3);
  EXPECT_FALSE(cache_->Get(users + "1", Soon())->has_value());
  EXPECT_FALSE(cache_->Get(users + "3:x", Soon())->has_value());
  EXPECT_TRUE(cache_->Get(prefix_ + "anonymous", Soon())->has_value());
  EXPECT_TRUE(cache_->Get(prefix_ + "use", Soon())->has_value());
  EXPECT_TRUE(cache_->Get(prefix_ + "xuser:1", Soon())->has_value());
}

TEST_F(SharedRedisTest, DeletePrefixTakesGlobCharactersLiterally) {
  // Each decoy would match if the prefix were used as a pattern.
  const std::string star = prefix_ + "a*:";
  const std::string klass = prefix_ + "b[xy]:";
  const std::string question = prefix_ + "c?\\:";
  const std::vector<std::string> doomed = {star + "1", klass + "1",
                                           question + "1"};
  const std::vector<std::string> decoys = {
      prefix_ + "a-anything:1", prefix_ + "bx:1", prefix_ + "by:1",
      prefix_ + "cZ\\:1", prefix_ + "cZ:1"};
  for (const std::string& key : doomed) {
    ASSERT_TRUE(cache_->Set(key, Sample("x"), absl::Seconds(60), Soon()).ok());
  }
  for (const std::string& key : decoys) {
    ASSERT_TRUE(cache_->Set(key, Sample("x"), absl::Seconds(60), Soon()).ok());
  }
  EXPECT_EQ(*cache_->DeletePrefix(star, Soon()), 1);
  EXPECT_EQ(*cache_->DeletePrefix(klass, Soon()), 1);
  EXPECT_EQ(*cache_->DeletePrefix(question, Soon()), 1);
  for (const std::string& key : doomed) {
    EXPECT_FALSE(cache_->Get(key, Soon())->has_value()) << key;
  }
  for (const std::string& key : decoys) {
    EXPECT_TRUE(cache_->Get(key, Soon())->has_value()) << key;
  }
}

TEST_F(SharedRedisTest, DeletePrefixWalksTheWholeKeyspace) {
  // More keys than one SCAN batch.
  constexpr int kKeys = 1200;
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_TRUE(cache_
                    ->Set(absl::StrCat(prefix_, "bulk:", i), Sample("x"),
                          absl::Seconds(60), Soon())
                    .ok());
  }
  absl::StatusOr<int64_t> deleted =
      cache_->DeletePrefix(prefix_ + "bulk:", Soon());
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, kKeys);
}

TEST_F(SharedRedisTest, DeletePrefixRejectsAnEmptyPrefix) {
  EXPECT_THAT(cache_->DeletePrefix("", Soon()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(SharedRedisTest, UnparsableValueIsDataLossAndGetsDeleted) {
  const std::string key = prefix_ + "garbage";
  RawRedisClient raw(url_);
  ASSERT_NE(raw.Command({"SET", key, "garbage", "PX", "60000"}), nullptr);
  absl::StatusOr<std::optional<Recommendations>> got = cache_->Get(key, Soon());
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kDataLoss));
  RedisReply exists = raw.Command({"EXISTS", key});
  ASSERT_NE(exists, nullptr);
  EXPECT_EQ(exists->integer, 0);
  EXPECT_EQ(cache_->stats().errors, 1);
  // The connection survived the bad value.
  got = cache_->Get(key, Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());
}

TEST_F(SharedRedisTest, UsesTheDatabaseFromTheUrl) {
  RedisCacheOptions options;
  options.url = url_ + "/5";
  std::unique_ptr<RedisRecommendationCache> db5 = MakeCache(options);
  const std::string key = prefix_ + "in-db-5";
  ASSERT_TRUE(db5->Set(key, Sample("x"), absl::Seconds(60), Soon()).ok());
  EXPECT_FALSE(cache_->Get(key, Soon())->has_value());
  EXPECT_TRUE(db5->Get(key, Soon())->has_value());
  EXPECT_EQ(*db5->Delete(key, Soon()), 1);
}

TEST_F(SharedRedisTest, ConcurrentCallersUseThePoolWithoutErrors) {
  constexpr int kThreads = 32;
  constexpr int kRounds = 25;
  std::atomic<int> failures{0};
  // All threads start together, so that they really overlap.
  absl::Notification go;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      go.WaitForNotification();
      const std::string key = absl::StrCat(prefix_, "t", t);
      for (int i = 0; i < kRounds; ++i) {
        if (!cache_->Set(key, Sample("x"), absl::Seconds(60), Soon()).ok()) {
          ++failures;
        }
        absl::StatusOr<std::optional<Recommendations>> got =
            cache_->Get(key, Soon());
        if (!got.ok() || !got->has_value()) ++failures;
      }
    });
  }
  go.Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(cache_->stats().hits, kThreads * kRounds);
  EXPECT_GT(cache_->stats().connect_attempts, 1);
  EXPECT_LE(cache_->stats().connect_attempts, RedisCacheOptions().pool_size);
}

TEST_F(SharedRedisTest, PassedDeadlineFailsWithoutTouchingRedis) {
  EXPECT_EQ(cache_->Get(prefix_ + "k", absl::Now() - absl::Milliseconds(1))
                .status()
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(cache_->stats().connect_attempts, 0);
}

TEST(RedisDownTest, UnreachableRedisFailsFastDuringTheBackoff) {
  DeadPort nobody(/*listen=*/false);
  RedisCacheOptions options;
  options.url = LoopbackRedisUrl(nobody.port());
  options.reconnect_backoff = absl::Milliseconds(300);
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);

  absl::StatusOr<std::optional<Recommendations>> got = cache->Get("k", Soon());
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(got.status().message(), HasSubstr("refused"));
  EXPECT_EQ(cache->stats().connect_attempts, 1);

  const absl::Time start = absl::Now();
  got = cache->Get("k", Soon());
  const absl::Duration took = absl::Now() - start;
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(took, absl::Milliseconds(5));
  EXPECT_EQ(cache->stats().connect_attempts, 1);
  EXPECT_EQ(cache->Set("k", Sample("x"), absl::Seconds(1), Soon()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(cache->stats().connect_attempts, 1);

  absl::SleepFor(absl::Milliseconds(350));
  EXPECT_THAT(cache->Get("k", Soon()),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(cache->stats().connect_attempts, 2);
  EXPECT_EQ(cache->stats().errors, 4);
}

TEST(RedisDownTest, HungRedisTimesOutWithinTheCommandTimeout) {
  DeadPort hung(/*listen=*/true);
  RedisCacheOptions options;
  options.url = LoopbackRedisUrl(hung.port());
  options.command_timeout = absl::Milliseconds(100);
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);

  // The caller's deadline, when earlier, bounds the call.
  absl::Time start = absl::Now();
  absl::StatusOr<std::optional<Recommendations>> got =
      cache->Get("k", start + absl::Milliseconds(20));
  absl::Duration took = absl::Now() - start;
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_LT(took, absl::Milliseconds(80));

  start = absl::Now();
  got = cache->Get("k", Soon());
  took = absl::Now() - start;
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_THAT(got.status().message(), HasSubstr("no reply"));
  EXPECT_GE(took, absl::Milliseconds(90));
  EXPECT_LT(took, absl::Milliseconds(300));

  // A server that missed the command timeout counts as down: no more waits.
  start = absl::Now();
  got = cache->Get("k", Soon());
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(5));
}

// As RecommendationEngine bounds its cache calls: by the command timeout
// (100 ms), so that against a hung server every timeout is a cut-off by the
// caller's deadline, never a full command timeout.
absl::Time EngineDeadline() { return absl::Now() + absl::Milliseconds(100); }

// Times one call.
template <typename Call>
absl::Duration Took(Call call) {
  const absl::Time start = absl::Now();
  call();
  return absl::Now() - start;
}

TEST(RedisHungTest, PausedAfterRepeatedTimeoutsCallsFailFastUntilAProbe) {
  PrivateRedis server;
  ASSERT_TRUE(server.Start());
  RedisCacheOptions options;
  options.url = server.url();
  options.breaker_backoff = absl::Seconds(1);
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_TRUE(
      cache->Set("k", Sample("before"), absl::Seconds(60), Soon()).ok());

  server.Pause();
  for (int i = 0; i < options.breaker_timeouts; ++i) {
    EXPECT_FALSE(cache->breaker_open()) << "after " << i << " timeouts";
    absl::StatusOr<std::optional<Recommendations>> got;
    const absl::Duration took =
        Took([&] { got = cache->Get("k", EngineDeadline()); });
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kDeadlineExceeded))
        << got.status();
    EXPECT_GE(took, absl::Milliseconds(80)) << "did not wait for the reply";
  }
  EXPECT_TRUE(cache->breaker_open());
  const int64_t connects = cache->stats().connect_attempts;

  // Hits, misses and invalidations no longer pay the timeout.
  constexpr absl::Duration kFast = absl::Milliseconds(20);
  for (int i = 0; i < 50; ++i) {
    absl::StatusOr<std::optional<Recommendations>> got;
    EXPECT_LT(Took([&] { got = cache->Get("k", EngineDeadline()); }), kFast);
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
    EXPECT_THAT(got.status().message(),
                HasSubstr("redis: paused after repeated timeouts"));
    absl::Status set;
    EXPECT_LT(Took([&] {
                set = cache->Set("k", Sample("x"), absl::Seconds(60),
                                 EngineDeadline());
              }),
              kFast);
    EXPECT_EQ(set.code(), absl::StatusCode::kUnavailable);
    absl::StatusOr<int64_t> deleted;
    EXPECT_LT(Took([&] { deleted = cache->Delete("k", EngineDeadline()); }),
              kFast);
    EXPECT_THAT(deleted, StatusIs(absl::StatusCode::kUnavailable));
  }
  EXPECT_EQ(cache->stats().short_circuited, 150);
  EXPECT_EQ(cache->stats().connect_attempts, connects) << "connected anyway";
  EXPECT_TRUE(cache->breaker_open());

  server.Resume();
  absl::SleepFor(options.breaker_backoff + absl::Milliseconds(50));
  // The first call after the backoff is the probe; its reply resumes.
  absl::StatusOr<std::optional<Recommendations>> got =
      cache->Get("k", EngineDeadline());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->items(0).reason(), "before");
  EXPECT_FALSE(cache->breaker_open());
  EXPECT_TRUE(
      cache->Set("k", Sample("after"), absl::Seconds(60), EngineDeadline())
          .ok());
  EXPECT_EQ(*cache->Delete("k", EngineDeadline()), 1);
}

TEST(RedisHungTest, AProbeThatTimesOutPausesAgain) {
  PrivateRedis server;
  ASSERT_TRUE(server.Start());
  RedisCacheOptions options;
  options.url = server.url();
  options.breaker_backoff = absl::Milliseconds(300);
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_TRUE(cache->Ping(Soon()).ok());

  server.Pause();
  for (int i = 0; i < options.breaker_timeouts; ++i) {
    cache->Get("k", EngineDeadline()).status().IgnoreError();
  }
  ASSERT_TRUE(cache->breaker_open());
  absl::SleepFor(options.breaker_backoff + absl::Milliseconds(20));
  // One probe, which waits for its reply in vain...
  absl::StatusOr<std::optional<Recommendations>> got;
  EXPECT_GE(Took([&] { got = cache->Get("k", EngineDeadline()); }),
            absl::Milliseconds(80));
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kDeadlineExceeded));
  // ...and the pause starts again.
  EXPECT_LT(Took([&] { got = cache->Get("k", EngineDeadline()); }),
            absl::Milliseconds(20));
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(cache->breaker_open());

  server.Resume();
  absl::SleepFor(options.breaker_backoff + absl::Milliseconds(20));
  EXPECT_TRUE(cache->Ping(EngineDeadline()).ok());
  EXPECT_FALSE(cache->breaker_open());
}

TEST(RedisHungTest, FullCommandTimeoutsPauseToo) {
  DeadPort hung(/*listen=*/true);
  RedisCacheOptions options;
  options.url = LoopbackRedisUrl(hung.port());
  options.reconnect_backoff = absl::ZeroDuration();
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  for (int i = 0; i < options.breaker_timeouts; ++i) {
    EXPECT_THAT(cache->Get("k", Soon()),
                StatusIs(absl::StatusCode::kDeadlineExceeded));
  }
  EXPECT_TRUE(cache->breaker_open());
  absl::StatusOr<std::optional<Recommendations>> got;
  EXPECT_LT(Took([&] { got = cache->Get("k", Soon()); }),
            absl::Milliseconds(20));
  EXPECT_THAT(got.status().message(), HasSubstr("paused"));
}

TEST(RedisHungTest, ACallersOwnShortDeadlineIsNoVerdict) {
  PrivateRedis server;
  ASSERT_TRUE(server.Start());
  RedisCacheOptions options;
  options.url = server.url();
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_TRUE(cache->Ping(Soon()).ok());

  server.Pause();
  // Shorter than breaker_min_wait: too short to blame the server.
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(cache->Get("k", absl::Now() + absl::Milliseconds(5)),
                StatusIs(absl::StatusCode::kDeadlineExceeded));
  }
  EXPECT_FALSE(cache->breaker_open());
  EXPECT_EQ(cache->stats().short_circuited, 0);
  server.Resume();
  EXPECT_TRUE(cache->Ping(Soon()).ok());
}

TEST(RedisRestartTest, FailsWhileDownAndRecoversByItself) {
  PrivateRedis server;
  ASSERT_TRUE(server.Start());
  RedisCacheOptions options;
  options.url = server.url();
  options.reconnect_backoff = absl::Milliseconds(100);
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_TRUE(cache->Set("k", Sample("x"), absl::Seconds(60), Soon()).ok());

  server.Stop();
  for (int i = 0; i < 5; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<std::optional<Recommendations>> got =
        cache->Get("k", Soon());
    EXPECT_THAT(got, StatusIs(absl::StatusCode::kUnavailable)) << got.status();
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(50));
  }

  ASSERT_TRUE(server.Start());
  // Within a backoff or two, with nobody telling it.
  const absl::Time give_up = absl::Now() + absl::Seconds(3);
  absl::Status status;
  do {
    absl::SleepFor(absl::Milliseconds(20));
    status = cache->Set("k", Sample("back"), absl::Seconds(60), Soon());
  } while (!status.ok() && absl::Now() < give_up);
  ASSERT_TRUE(status.ok()) << status;
  absl::StatusOr<std::optional<Recommendations>> got = cache->Get("k", Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->items(0).reason(), "back");
}

TEST(RedisRestartTest, RestartBetweenCallsIsInvisible) {
  PrivateRedis server;
  ASSERT_TRUE(server.Start());
  RedisCacheOptions options;
  options.url = server.url();
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_TRUE(cache->Set("k", Sample("x"), absl::Seconds(60), Soon()).ok());

  // The pooled connection is now closed by the server; the next call finds
  // out on its first command and retries on a fresh connection.
  server.Stop();
  ASSERT_TRUE(server.Start());
  absl::StatusOr<std::optional<Recommendations>> got = cache->Get("k", Soon());
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->has_value());  // no persistence: the restart lost it
  EXPECT_EQ(cache->stats().errors, 0);
}

TEST(RedisAuthTest, SendsThePasswordAndNeverEchoesIt) {
  PrivateRedis server({"--requirepass", "sesame-4711"});
  ASSERT_TRUE(server.Start());
  RedisCacheOptions options;
  options.url = server.url();
  options.password = "sesame-4711";
  std::unique_ptr<RedisRecommendationCache> good = MakeCache(options);
  EXPECT_TRUE(good->Ping(Soon()).ok());

  options.password = "wrong-0815";
  std::unique_ptr<RedisRecommendationCache> bad = MakeCache(options);
  absl::Status status = bad->Ping(Soon());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("AUTH"));
  EXPECT_THAT(status.message(), Not(HasSubstr("wrong-0815")));

  options.password.clear();
  std::unique_ptr<RedisRecommendationCache> none = MakeCache(options);
  EXPECT_EQ(none->Ping(Soon()).code(), absl::StatusCode::kUnavailable);
}

// Redis Sentinel (redis-sentinel://): a failover moves the pool to the new
// primary by itself; a READONLY reply drops the connection that got it.
class RedisSentinelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(primary_.Start());
    replica_ = std::make_unique<PrivateRedis>(std::vector<std::string>{
        "--replicaof", "127.0.0.1", absl::StrCat(primary_.port())});
    ASSERT_TRUE(replica_->Start());
    sentinel_ = PrivateRedis::Sentinel(primary_.port(), "shop");
    ASSERT_TRUE(sentinel_->Start());
  }

  static bool Exists(int port, const std::string& key) {
    RawRedisClient client("127.0.0.1", port);
    RedisReply reply = client.Command({"EXISTS", key});
    return reply != nullptr && reply->type == REDIS_REPLY_INTEGER &&
           reply->integer == 1;
  }

  PrivateRedis primary_;
  std::unique_ptr<PrivateRedis> replica_;
  std::unique_ptr<PrivateRedis> sentinel_;
};

TEST_F(RedisSentinelTest, FollowsTheSentinelsToTheNewPrimaryAfterAFailover) {
  RedisCacheOptions options;
  // The first sentinel is down: the pool asks the next.
  DeadPort nobody(/*listen=*/false);
  options.url = absl::StrCat("redis-sentinel://127.0.0.1:", nobody.port(),
                             ",127.0.0.1:", sentinel_->port(), "#shop");
  options.reconnect_backoff = absl::Milliseconds(50);
  options.sentinel_check_interval = absl::Milliseconds(100);
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_NE(cache, nullptr);
  ASSERT_TRUE(
      cache->Set("before", Sample("x"), absl::Seconds(60), Soon()).ok());
  EXPECT_TRUE(Exists(primary_.port(), "before"));

  // The sentinel promotes the replica once it has seen it in sync.
  RawRedisClient sentinel("127.0.0.1", sentinel_->port());
  ASSERT_TRUE(smartshop::testing::Eventually(
      [&] {
        RedisReply reply = sentinel.Command({"SENTINEL", "FAILOVER", "shop"});
        return reply != nullptr && reply->type == REDIS_REPLY_STATUS;
      },
      absl::Seconds(15)));

  // Promoted, and named by the sentinel: from here on a write that goes to
  // the old primary (still one for a moment, then read-only) is not on the
  // new one, which no longer replicates from it.
  ASSERT_TRUE(smartshop::testing::Eventually(
      [&] {
        RawRedisClient promoted("127.0.0.1", replica_->port());
        RedisReply role = promoted.TryCommand({"ROLE"});
        RedisReply named = sentinel.TryCommand(
            {"SENTINEL", "get-master-addr-by-name", "shop"});
        return role != nullptr && role->type == REDIS_REPLY_ARRAY &&
               absl::string_view(role->element[0]->str,
                                 role->element[0]->len) == "master" &&
               named != nullptr && named->type == REDIS_REPLY_ARRAY &&
               named->elements == 2 &&
               absl::string_view(named->element[1]->str,
                                 named->element[1]->len) ==
                   absl::StrCat(replica_->port());
      },
      absl::Seconds(15)));
  // Every write lands on the new primary within a few checks.
  int writes = 0;
  EXPECT_TRUE(smartshop::testing::Eventually(
      [&] {
        const std::string key = absl::StrCat("after-", ++writes);
        return cache->Set(key, Sample("y"), absl::Seconds(60), Soon()).ok() &&
               Exists(replica_->port(), key);
      },
      absl::Seconds(15)));
  // And it stays there.
  for (int i = 0; i < 5; ++i) {
    const std::string key = absl::StrCat("settled-", i);
    ASSERT_TRUE(cache->Set(key, Sample("z"), absl::Seconds(60), Soon()).ok());
    EXPECT_TRUE(Exists(replica_->port(), key)) << key;
  }
}

TEST_F(RedisSentinelTest, AReadOnlyReplyDropsTheConnection) {
  RedisCacheOptions options;
  options.url = replica_->url();  // a replica: every write is refused
  options.reconnect_backoff = absl::ZeroDuration();
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_NE(cache, nullptr);
  ASSERT_TRUE(cache->Ping(Soon()).ok());
  const int64_t connects = cache->stats().connect_attempts;
  absl::Status status = cache->Set("k", Sample("x"), absl::Seconds(60), Soon());
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(status.message(), HasSubstr("READONLY"));
  // The connection that read READONLY was not kept: the next call connects
  // anew (where the address points by then).
  EXPECT_TRUE(cache->Ping(Soon()).ok());
  EXPECT_GT(cache->stats().connect_attempts, connects);
}

TEST(RedisSentinelUrlTest, NoSentinelAnsweringIsUnavailableNamingTheMaster) {
  DeadPort nobody(/*listen=*/false);
  RedisCacheOptions options;
  options.url =
      absl::StrCat("redis-sentinel://127.0.0.1:", nobody.port(), "#shop");
  std::unique_ptr<RedisRecommendationCache> cache = MakeCache(options);
  ASSERT_NE(cache, nullptr);
  absl::Status status = cache->Ping(Soon());
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(status.message(), HasSubstr("primary of shop"));
}

}  // namespace
}  // namespace smartshop::recommender
