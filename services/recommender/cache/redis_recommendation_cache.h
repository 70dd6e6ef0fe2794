// The production RecommendationCache: entries live in Redis as serialized
// smartshop.v1.Recommendations under the caller's key, with a TTL.
//
// The cache is an optimisation, so it is built to fail quickly and quietly:
// every call is bounded by min(command timeout, deadline); while Redis is
// down, or paused after repeated timeouts (hung), calls return UNAVAILABLE
// at once (see RedisPool) and the caller computes the answer itself; the
// connection comes back by itself.
//
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_RECOMMENDATION_CACHE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_RECOMMENDATION_CACHE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/recommender/cache/redis_options.h"
#include "services/recommender/cache/redis_pool.h"
#include "services/recommender/recommendation_cache.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

class RedisRecommendationCache : public RecommendationCache {
 public:
  struct Stats {
    int64_t hits = 0;
    int64_t misses = 0;
    // Calls that returned an error, whatever the cause.
    int64_t errors = 0;
    // Connections opened or attempted; stays flat while Redis is down and
    // the reconnect backoff runs.
    int64_t connect_attempts = 0;
    // Calls refused at once while paused after repeated timeouts (counted
    // in `errors` too).
    int64_t short_circuited = 0;
  };

  // INVALID_ARGUMENT naming the field when `options` are bad. Does not
  // connect, so the service starts (and serves) while Redis is down.
  static absl::StatusOr<std::unique_ptr<RedisRecommendationCache>> Create(
      RedisCacheOptions options);

  // Errors: UNAVAILABLE (cannot connect, connection lost, within the
  // reconnect backoff, paused after repeated timeouts, server loading),
  // DEADLINE_EXCEEDED (no reply in time), DATA_LOSS (the stored value is not a
  // Recommendations; it is deleted so that the next Set replaces it). The value
  // comes back exactly as it was set (cache_hit included).
  absl::StatusOr<std::optional<smartshop::v1::Recommendations>> Get(
      const std::string& key, absl::Time deadline) override;

  // SET key value PX ttl. INVALID_ARGUMENT when `ttl` is not positive;
  // sub-millisecond parts are dropped (at least 1 ms).
  absl::Status Set(const std::string& key,
                   const smartshop::v1::Recommendations& value,
                   absl::Duration ttl, absl::Time deadline) override;

  // DEL key, and INCR of the key's fence (kept an hour: far longer than
  // any computation), in one script.
  absl::StatusOr<int64_t> Delete(const std::string& key,
                                 absl::Time deadline) override;

  // SCAN MATCH <prefix, taken literally>* with UNLINK of each batch, so
  // Redis is never blocked by one long command. Not atomic: keys set while
  // it runs may survive. On an error part of the keys may be gone already
  // (the message says how many). INVALID_ARGUMENT for an empty prefix,
  // which would empty a database that may be shared.
  // The prefix's fence is advanced first, so that no answer computed
  // before can be stored while the scan runs.
  absl::StatusOr<int64_t> DeletePrefix(const std::string& prefix,
                                       absl::Time deadline) override;

  // Fences live beside the entries, under "smartshop:fence:" + key and
  // "smartshop:fence-all:" + scope. The check-and-set is one Lua script, so
  // a fence advanced by another replica between read and store is seen.
  // The script names three keys: on Redis Cluster they would have to share
  // a hash slot, which the original's key names do not allow.
  absl::StatusOr<Fence> ReadFence(const std::string& key,
                                  const std::string& scope,
                                  absl::Time deadline) override;
  absl::StatusOr<bool> SetUnlessInvalidated(
      const std::string& key, const std::string& scope,
      const smartshop::v1::Recommendations& value, absl::Duration ttl,
      const Fence& fence, absl::Time deadline) override;

  // Plain text values beside the entries (the model's stored replies,
  // model_reply_store.h), on the same connections, timeouts and breaker;
  // not counted as the entries' hits and misses.
  absl::StatusOr<std::optional<std::string>> GetText(const std::string& key,
                                                     absl::Time deadline);
  absl::Status SetText(const std::string& key, const std::string& value,
                       absl::Duration ttl, absl::Time deadline);

  // PING within `deadline`; for readiness logs and tests.
  absl::Status Ping(absl::Time deadline);

  Stats stats() const;
  // True while paused after repeated timeouts (or probing), for the
  // smartshop_recommender_redis_breaker_open gauge.
  bool breaker_open() const { return pool_.breaker_open(); }
  // "host:port/db", for logs.
  const std::string& address() const { return pool_.address(); }

 private:
  RedisRecommendationCache(RedisAddress address, RedisCacheOptions options);

  // Counts `status` as an error when it is one, and returns it.
  absl::Status Count(absl::Status status);

  RedisPool pool_;
  std::atomic<int64_t> hits_{0};
  std::atomic<int64_t> misses_{0};
  std::atomic<int64_t> errors_{0};
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_RECOMMENDATION_CACHE_H_
