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

  // Removes `key`; returns how many entries were removed (0 or 1).
  virtual absl::StatusOr<int64_t> Delete(const std::string& key,
                                         absl::Time deadline) = 0;

  // Removes every key that starts with `prefix`; returns how many.
  virtual absl::StatusOr<int64_t> DeletePrefix(const std::string& prefix,
                                               absl::Time deadline) = 0;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_RECOMMENDATION_CACHE_H_
