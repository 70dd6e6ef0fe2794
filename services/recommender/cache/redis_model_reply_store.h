// The model's stored replies (model/model_reply_store.h) in the answer
// cache's Redis, so that every replica reuses every other's calls.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_MODEL_REPLY_STORE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_MODEL_REPLY_STORE_H_

#include <optional>
#include <string>

#include "services/recommender/cache/redis_recommendation_cache.h"
#include "services/recommender/model/model_reply_store.h"

namespace smartshop::recommender {

class RedisModelReplyStore : public ModelReplyStore {
 public:
  // `redis` is not owned and must outlive this.
  explicit RedisModelReplyStore(RedisRecommendationCache* redis)
      : redis_(redis) {}

  // A value that is not a stored reply reads as a miss.
  absl::StatusOr<std::optional<StoredReply>> Get(const std::string& key,
                                                 absl::Time deadline) override;
  absl::Status Put(const std::string& key, const StoredReply& reply,
                   absl::Duration ttl, absl::Time deadline) override;

 private:
  RedisRecommendationCache* const redis_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_MODEL_REPLY_STORE_H_
