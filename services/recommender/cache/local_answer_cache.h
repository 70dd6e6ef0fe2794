// A short in-process cache of answers in front of Redis: a cache hit served
// from memory costs no Redis round trip. Entries live at most `ttl` (a few
// seconds) and the whole cache at most `max_bytes` (least recently used
// entries go first). Drops are the caller's to make, for the same events
// that drop the Redis key; a ticket taken before Redis was read keeps an
// answer that a drop made stale meanwhile out. Thread-safe; sharded so that
// concurrent hits rarely wait for one another.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_LOCAL_ANSWER_CACHE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_LOCAL_ANSWER_CACHE_H_

#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

struct LocalCacheOptions {
  // How long an entry is served from memory; zero switches the cache off.
  absl::Duration ttl = absl::Seconds(2);
  // Bound on the entries' estimated memory (keys, answers, bookkeeping).
  int64_t max_bytes = int64_t{64} << 20;
};

class LocalAnswerCache {
 public:
  // `clock` is not owned and must outlive this.
  LocalAnswerCache(LocalCacheOptions options, const Clock* clock);

  bool enabled() const { return options_.ttl > absl::ZeroDuration(); }

  // Where the drops of `key` stood: taken before the answer to Put is read
  // (from Redis or computed).
  using Ticket = uint64_t;
  Ticket Begin(const std::string& key);
  // The entry under `key` unless it expired.
  std::optional<smartshop::v1::Recommendations> Get(const std::string& key);
  // Keeps `value` for ttl, or `lifetime` if shorter (the answer's own TTL
  // when it is known), unless `key` was dropped since `ticket` (or the
  // value alone is over max_bytes).
  void Put(const std::string& key, Ticket ticket,
           const smartshop::v1::Recommendations& value,
           absl::Duration lifetime = absl::InfiniteDuration());
  void Drop(const std::string& key);
  void DropAll();

  int64_t bytes() const;
  size_t entries() const;

 private:
  struct Entry {
    std::string key;
    std::shared_ptr<const smartshop::v1::Recommendations> value;
    absl::Time expires;
    int64_t bytes = 0;
  };
  // Keys hash to shards; a drop advances its shard's count, which refuses
  // the puts of every ticket taken before (in that shard only).
  struct Shard {
    mutable absl::Mutex mu;
    std::list<Entry> lru ABSL_GUARDED_BY(mu);  // most recently used first
    absl::flat_hash_map<std::string, std::list<Entry>::iterator> index
        ABSL_GUARDED_BY(mu);
    int64_t bytes ABSL_GUARDED_BY(mu) = 0;
    uint64_t drops ABSL_GUARDED_BY(mu) = 0;
  };
  static constexpr size_t kShards = 16;

  Shard& ShardOf(const std::string& key);
  static void Erase(Shard& shard, std::list<Entry>::iterator it)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const LocalCacheOptions options_;
  const int64_t shard_max_bytes_;
  const Clock* const clock_;
  std::array<Shard, kShards> shards_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_LOCAL_ANSWER_CACHE_H_
