#include "services/recommender/answer_cache.h"

#include "gtest/gtest.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::InvalidateRecommendationsRequest;
using smartshop::v1::Recommendations;

Recommendations OneItem() {
  Recommendations answer;
  answer.add_items()->mutable_product()->set_id(7);
  return answer;
}

Interaction CacheEvent(smartshop::v1::InteractionType type, std::string user,
                       std::string session) {
  Interaction event;
  event.set_type(type);
  event.set_user_id(std::move(user));
  event.set_session_key(std::move(session));
  return event;
}

class AnswerCacheTest : public ::testing::Test {
 protected:
  absl::Time Soon() const { return absl::Now() + absl::Seconds(1); }

  // Stores `answer` for `key` as the engine does, which keeps it in the
  // local cache as well.
  void StoreAnswer(const std::string& key) {
    answers_.Store(answers_.Reserve(key), OneItem(), absl::Hours(1), flight_);
  }
  // Whether `key` is served while Redis is away: from the local cache.
  bool ServedLocally(const std::string& key) {
    cache_.FailWith(absl::UnavailableError("down"));
    const bool hit = answers_.Lookup(key, Soon()).has_value();
    cache_.FailWith(absl::OkStatus());
    return hit;
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'800'000'000)};
  testing::FakeRecommendationCache cache_;
  BoundedExecutor executor_{1};
  AnswerFlights flights_{&executor_};
  EngineCounters counters_{nullptr};
  AnswerCache answers_{&cache_, EngineOptions(), &flights_, &counters_,
                       &clock_};
  AnswerFlights::Flight flight_;
};

TEST_F(AnswerCacheTest, KeysPerUserPerSessionAndOneForAllAnonymous) {
  EXPECT_EQ(answers_.Key("42"), "ai_recommended_products_42");
  EXPECT_EQ(answers_.Key(""), "ai_recommended_products_anonymous");
  EXPECT_EQ(answers_.Key(Shopper{"", "s1"}), "ai_recommended_session_s1");
  EXPECT_EQ(answers_.Key(Shopper{"42", ""}), "ai_recommended_products_42");
}

TEST_F(AnswerCacheTest, EachKindOfAnswerHasItsLifetime) {
  const Shopper user{"42", ""};
  const Shopper session{"", "s1"};
  EXPECT_EQ(answers_.Ttl(AnswerKind::kModel, user), absl::Hours(1));
  EXPECT_EQ(answers_.Ttl(AnswerKind::kModel, session), absl::Minutes(5));
  EXPECT_EQ(answers_.Ttl(AnswerKind::kBuiltin, user), absl::Minutes(10));
  EXPECT_EQ(answers_.Ttl(AnswerKind::kBuiltin, session), absl::Minutes(5));
  EXPECT_EQ(answers_.Ttl(AnswerKind::kBrief, user), absl::Seconds(60));
  answers_.set_builtin_ready(false);
  EXPECT_EQ(answers_.Ttl(AnswerKind::kBuiltin, user), absl::Seconds(60));
  EXPECT_EQ(answers_.Ttl(AnswerKind::kModel, user), absl::Hours(1));
}

TEST_F(AnswerCacheTest, StoredAnswersAreFoundAndCounted) {
  const std::string key = answers_.Key("42");
  EXPECT_FALSE(answers_.Lookup(key, Soon()).has_value());
  answers_.Store(answers_.Reserve(key), OneItem(), absl::Minutes(3), flight_);
  EXPECT_EQ(cache_.ttl(key), absl::Minutes(3));
  ASSERT_TRUE(answers_.Lookup(key, Soon()).has_value());
  EXPECT_EQ(counters_.stats().cache_misses, 1);
  EXPECT_EQ(counters_.stats().cache_hits, 1);
}

TEST_F(AnswerCacheTest, EmptyOrStaleAnswersAreNotStored) {
  const std::string key = answers_.Key("42");
  answers_.Store(answers_.Reserve(key), Recommendations(), absl::Minutes(3),
                 flight_);
  EXPECT_FALSE(cache_.contains(key));
  flight_.MarkStale();
  answers_.Store(answers_.Reserve(key), OneItem(), absl::Minutes(3), flight_);
  EXPECT_FALSE(cache_.contains(key));
}

TEST_F(AnswerCacheTest, ADropAfterTheReservationFencesTheAnswerOut) {
  const std::string key = answers_.Key("42");
  const AnswerCache::Reservation reservation = answers_.Reserve(key);
  ASSERT_TRUE(answers_.Drop(key, Soon()).ok());
  answers_.Store(reservation, OneItem(), absl::Minutes(3), flight_);
  EXPECT_FALSE(cache_.contains(key));
  EXPECT_EQ(counters_.stats().cache_errors, 0);  // fenced is no error
}

TEST_F(AnswerCacheTest, CartsOrdersAndSessionEventsDropTheirAnswer) {
  const std::string user = answers_.Key("42");
  const std::string session = answers_.Key(Shopper{"", "s1"});
  for (const std::string& key : {user, session}) {
    ASSERT_TRUE(cache_.Set(key, OneItem(), absl::Hours(1), Soon()).ok());
  }
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::VIEW_PRODUCT, "42", ""));
  EXPECT_TRUE(cache_.contains(user));  // a view changes nothing
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::ADD_TO_CART, "42", ""));
  EXPECT_FALSE(cache_.contains(user));
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::VIEW_PRODUCT, "", "s1"));
  EXPECT_FALSE(cache_.contains(session));
}

TEST_F(AnswerCacheTest, AFailedLiveDropIsRetriedLater) {
  cache_.FailWith(absl::UnavailableError("down"));
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::ORDER_PLACED, "42", ""));
  EXPECT_EQ(answers_.pending_invalidations(), 1u);
}

TEST_F(AnswerCacheTest, InvalidateDropsWhatItNames) {
  for (const std::string& key : {answers_.Key("42"), answers_.Key(""),
                                 answers_.Key(Shopper{"", "s1"})}) {
    ASSERT_TRUE(cache_.Set(key, OneItem(), absl::Hours(1), Soon()).ok());
  }
  InvalidateRecommendationsRequest one;
  one.set_user_id("42");
  EXPECT_EQ(*answers_.Invalidate(one, Soon()), 1);
  EXPECT_FALSE(cache_.contains(answers_.Key("42")));
  InvalidateRecommendationsRequest all;
  all.set_all(true);
  EXPECT_EQ(*answers_.Invalidate(all, Soon()), 2);
  InvalidateRecommendationsRequest none;
  EXPECT_EQ(answers_.Invalidate(none, Soon()).status(),
            absl::InvalidArgumentError(
                "target: set one of user_id, session_key, anonymous or all"));
  InvalidateRecommendationsRequest anonymous;
  anonymous.set_anonymous(false);
  EXPECT_EQ(answers_.Invalidate(anonymous, Soon()).status(),
            absl::InvalidArgumentError("anonymous: must be true when set"));
}

TEST_F(AnswerCacheTest, StoredAndRedisHitsAreServedFromMemoryForTheLocalTtl) {
  const std::string stored = answers_.Key("42");
  StoreAnswer(stored);
  const std::string read = answers_.Key("43");
  ASSERT_TRUE(cache_.Set(read, OneItem(), absl::Hours(1), Soon()).ok());
  ASSERT_TRUE(answers_.Lookup(read, Soon()).has_value());  // from Redis
  EXPECT_EQ(counters_.stats().local_hits, 0);
  EXPECT_EQ(answers_.local_entries(), 2u);
  EXPECT_GT(answers_.local_bytes(), 0);

  EXPECT_TRUE(ServedLocally(stored));
  EXPECT_TRUE(ServedLocally(read));
  EXPECT_EQ(counters_.stats().local_hits, 2);
  EXPECT_EQ(counters_.stats().cache_hits, 3);  // local hits included

  clock_.AdvanceBy(EngineOptions().local_cache.ttl);
  EXPECT_FALSE(ServedLocally(stored));
  EXPECT_FALSE(ServedLocally(read));
  EXPECT_TRUE(answers_.Lookup(stored, Soon()).has_value());  // Redis again
}

TEST_F(AnswerCacheTest, AStoredAnswerIsNotKeptLocallyPastItsOwnTtl) {
  const std::string key = answers_.Key("42");
  answers_.Store(answers_.Reserve(key), OneItem(), absl::Seconds(1), flight_);
  EXPECT_TRUE(ServedLocally(key));
  clock_.AdvanceBy(absl::Seconds(1));
  EXPECT_FALSE(ServedLocally(key));
}

TEST_F(AnswerCacheTest, LiveEventsInvalidationsAndErasuresClearTheLocalCopy) {
  const std::string user = answers_.Key("42");
  const std::string session = answers_.Key(Shopper{"", "s1"});
  const std::string anonymous = answers_.Key("");
  for (const std::string& key : {user, session, anonymous}) StoreAnswer(key);
  // Redis refuses every delete: only the local drops count here.
  cache_.FailWith(absl::UnavailableError("down"));
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::VIEW_PRODUCT, "42", ""));
  EXPECT_TRUE(answers_.Lookup(user, Soon()).has_value());
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::ORDER_PLACED, "42", ""));
  EXPECT_FALSE(answers_.Lookup(user, Soon()).has_value());
  answers_.OnLiveEvent(CacheEvent(smartshop::v1::VIEW_PRODUCT, "", "s1"));
  EXPECT_FALSE(answers_.Lookup(session, Soon()).has_value());
  InvalidateRecommendationsRequest all;
  all.set_all(true);
  EXPECT_FALSE(answers_.Invalidate(all, Soon()).ok());
  EXPECT_FALSE(answers_.Lookup(anonymous, Soon()).has_value());
  EXPECT_EQ(answers_.local_entries(), 0u);

  // An erasure drops the key as Drop does.
  cache_.FailWith(absl::OkStatus());
  StoreAnswer(user);
  cache_.FailWith(absl::UnavailableError("down"));
  EXPECT_FALSE(answers_.Drop(user, Soon()).ok());
  EXPECT_FALSE(answers_.Lookup(user, Soon()).has_value());
}

TEST_F(AnswerCacheTest, AFencedAnswerIsNotKeptLocallyEither) {
  const std::string key = answers_.Key("42");
  const AnswerCache::Reservation reservation = answers_.Reserve(key);
  ASSERT_TRUE(answers_.Drop(key, Soon()).ok());
  answers_.Store(reservation, OneItem(), absl::Minutes(3), flight_);
  EXPECT_FALSE(ServedLocally(key));
  EXPECT_EQ(answers_.local_entries(), 0u);
}

TEST_F(AnswerCacheTest, AZeroLocalTtlAsksRedisEveryTime) {
  EngineOptions options;
  options.local_cache.ttl = absl::ZeroDuration();
  AnswerCache answers(&cache_, options, &flights_, &counters_, &clock_);
  const std::string key = answers.Key("42");
  answers.Store(answers.Reserve(key), OneItem(), absl::Hours(1), flight_);
  ASSERT_TRUE(answers.Lookup(key, Soon()).has_value());
  cache_.FailWith(absl::UnavailableError("down"));
  EXPECT_FALSE(answers.Lookup(key, Soon()).has_value());
  EXPECT_EQ(counters_.stats().local_hits, 0);
}

}  // namespace
}  // namespace smartshop::recommender
