#include "services/recommender/cache/local_answer_cache.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/testing/simulated_clock.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Recommendations;

Recommendations Answer(int64_t product_id) {
  Recommendations answer;
  for (int i = 0; i < 16; ++i) {
    auto* item = answer.add_items();
    item->mutable_product()->set_id(product_id + i);
    item->mutable_product()->set_name(std::string(40, 'n'));
    item->set_reason(std::string(60, 'r'));
  }
  return answer;
}

class LocalAnswerCacheTest : public ::testing::Test {
 protected:
  void Put(LocalAnswerCache& cache, const std::string& key, int64_t id) {
    cache.Put(key, cache.Begin(key), Answer(id));
  }

  SimulatedClock clock_{absl::FromUnixSeconds(1'700'000'000)};
};

TEST_F(LocalAnswerCacheTest, ServesWhatWasPutUntilTheTtlPasses) {
  LocalAnswerCache cache({.ttl = absl::Seconds(2)}, &clock_);
  EXPECT_FALSE(cache.Get("k").has_value());
  Put(cache, "k", 7);
  clock_.AdvanceBy(absl::Milliseconds(1999));
  std::optional<Recommendations> hit = cache.Get("k");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->items(0).product().id(), 7);
  clock_.AdvanceBy(absl::Milliseconds(1));
  EXPECT_FALSE(cache.Get("k").has_value());
  EXPECT_EQ(cache.entries(), 0u);
  EXPECT_EQ(cache.bytes(), 0);
}

TEST_F(LocalAnswerCacheTest, AShorterLifetimeOfTheAnswerWins) {
  LocalAnswerCache cache({.ttl = absl::Seconds(2)}, &clock_);
  cache.Put("k", cache.Begin("k"), Answer(7), absl::Seconds(1));
  clock_.AdvanceBy(absl::Milliseconds(999));
  EXPECT_TRUE(cache.Get("k").has_value());
  clock_.AdvanceBy(absl::Milliseconds(1));
  EXPECT_FALSE(cache.Get("k").has_value());
}

TEST_F(LocalAnswerCacheTest, AZeroTtlKeepsNothing) {
  LocalAnswerCache cache({.ttl = absl::ZeroDuration()}, &clock_);
  EXPECT_FALSE(cache.enabled());
  Put(cache, "k", 7);
  EXPECT_FALSE(cache.Get("k").has_value());
  EXPECT_EQ(cache.entries(), 0u);
}

TEST_F(LocalAnswerCacheTest, StaysWithinItsBytesEvictingTheLeastRecentlyUsed) {
  LocalAnswerCache probe({.ttl = absl::Seconds(5)}, &clock_);
  Put(probe, "probe", 1);
  const int64_t entry_bytes = probe.bytes();
  ASSERT_GT(entry_bytes, 0);

  // Room for about 64 entries over 16 shards: 4 per shard.
  const int64_t max_bytes = 64 * entry_bytes + 64;
  LocalAnswerCache cache({.ttl = absl::Seconds(5), .max_bytes = max_bytes},
                         &clock_);
  const std::string hot = "key-hot";
  Put(cache, hot, 0);
  for (int i = 0; i < 1000; ++i) {
    Put(cache, absl::StrCat("key-", i), i);
    ASSERT_TRUE(cache.Get(hot).has_value()) << "evicted after " << i;
    ASSERT_LE(cache.bytes(), max_bytes);
  }
  EXPECT_GT(cache.entries(), 16u);
  EXPECT_LT(cache.entries(), 100u);
  // The newest is there, the oldest went.
  EXPECT_TRUE(cache.Get("key-999").has_value());
  EXPECT_FALSE(cache.Get("key-0").has_value());
}

TEST_F(LocalAnswerCacheTest, AnAnswerLargerThanItsShareIsNotKept) {
  LocalAnswerCache cache({.ttl = absl::Seconds(5), .max_bytes = 16 * 100},
                         &clock_);
  Put(cache, "k", 7);
  EXPECT_FALSE(cache.Get("k").has_value());
}

TEST_F(LocalAnswerCacheTest, DropsRemoveTheEntry) {
  LocalAnswerCache cache({.ttl = absl::Seconds(5)}, &clock_);
  Put(cache, "a", 1);
  Put(cache, "b", 2);
  cache.Drop("a");
  EXPECT_FALSE(cache.Get("a").has_value());
  EXPECT_TRUE(cache.Get("b").has_value());
  cache.DropAll();
  EXPECT_FALSE(cache.Get("b").has_value());
  EXPECT_EQ(cache.bytes(), 0);
}

TEST_F(LocalAnswerCacheTest, AnAnswerReadBeforeADropIsNotKept) {
  LocalAnswerCache cache({.ttl = absl::Seconds(5)}, &clock_);
  for (auto drop : {+[](LocalAnswerCache& c) { c.Drop("k"); },
                    +[](LocalAnswerCache& c) { c.DropAll(); }}) {
    const LocalAnswerCache::Ticket ticket = cache.Begin("k");
    drop(cache);  // e.g. an order, while Redis was being read
    cache.Put("k", ticket, Answer(7));
    EXPECT_FALSE(cache.Get("k").has_value());
    // A ticket taken after the drop puts.
    cache.Put("k", cache.Begin("k"), Answer(8));
    ASSERT_TRUE(cache.Get("k").has_value());
    cache.Drop("k");
  }
}

TEST_F(LocalAnswerCacheTest, APutReplacesTheEntryAndRestartsItsTtl) {
  LocalAnswerCache cache({.ttl = absl::Seconds(2)}, &clock_);
  Put(cache, "k", 1);
  clock_.AdvanceBy(absl::Seconds(1));
  Put(cache, "k", 2);
  clock_.AdvanceBy(absl::Milliseconds(1500));
  std::optional<Recommendations> hit = cache.Get("k");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->items(0).product().id(), 2);
  EXPECT_EQ(cache.entries(), 1u);
}

}  // namespace
}  // namespace smartshop::recommender
