#include "services/recommender/cache/redis_model_reply_store.h"

namespace smartshop::recommender {

absl::StatusOr<std::optional<StoredReply>> RedisModelReplyStore::Get(
    const std::string& key, absl::Time deadline) {
  absl::StatusOr<std::optional<std::string>> value =
      redis_->GetText(key, deadline);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return std::nullopt;
  return DecodeStoredReply(**value);
}

absl::Status RedisModelReplyStore::Put(const std::string& key,
                                       const StoredReply& reply,
                                       absl::Duration ttl,
                                       absl::Time deadline) {
  return redis_->SetText(key, EncodeStoredReply(reply), ttl, deadline);
}

}  // namespace smartshop::recommender
