// Where computed recommendations are kept for a while (Redis in production,
// cache/redis_recommendation_cache.h), keyed by user.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_CACHE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

class RecommendationCache {
 public:
  virtual ~RecommendationCache() = default;

  // The entry under `key`, nullopt on a miss. An error (UNAVAILABLE,
  // DEADLINE_EXCEEDED, DATA_LOSS for an unreadable value) means the cache
  // could not answer; callers compute the answer instead. Thread-safe.
  virtual absl::StatusOr<std::optional<smartshop::v1::Recommendations>> Get(
      const std::string& key, absl::Time deadline) = 0;

  // Stores `value` under `key` for `ttl`. Thread-safe.
  virtual absl::Status Set(const std::string& key,
                           const smartshop::v1::Recommendations& value,
                           absl::Duration ttl, absl::Time deadline) = 0;

  // Removes `key` and advances its fence (below); returns how many entries
  // were removed (0 or 1).
  virtual absl::StatusOr<int64_t> Delete(const std::string& key,
                                         absl::Time deadline) = 0;

  // Advances the fence of every key that starts with `prefix`, then removes
  // those keys; returns how many.
  virtual absl::StatusOr<int64_t> DeletePrefix(const std::string& prefix,
                                               absl::Time deadline) = 0;

  // Where the invalidations of one key stood: read before an answer's data
  // is read, it lets SetUnlessInvalidated refuse an answer that a Delete or
  // DeletePrefix made stale meanwhile, whichever replica (process sharing
  // the cache) made it. `scope` is the prefix whose DeletePrefix covers the
  // key.
  struct Fence {
    int64_t key = 0;
    int64_t scope = 0;
    bool operator==(const Fence&) const = default;
  };
  virtual absl::StatusOr<Fence> ReadFence(const std::string& key,
                                          const std::string& scope,
                                          absl::Time deadline) = 0;

  // Set, atomically unless `key` was deleted or `scope` prefix-deleted
  // since `fence` was read: then nothing is stored and the result is false.
  virtual absl::StatusOr<bool> SetUnlessInvalidated(
      const std::string& key, const std::string& scope,
      const smartshop::v1::Recommendations& value, absl::Duration ttl,
      const Fence& fence, absl::Time deadline) = 0;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_CACHE_H_
