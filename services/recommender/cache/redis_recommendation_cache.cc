#include "services/recommender/cache/redis_recommendation_cache.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/recommender/cache/redis_glob.h"

namespace smartshop::recommender {
namespace {

// Keys per SCAN round trip: large enough that a full invalidation takes few
// round trips, small enough that one SCAN or UNLINK never stalls Redis.
constexpr absl::string_view kScanCount = "500";

absl::Status UnexpectedReply(absl::string_view command, int type) {
  return absl::InternalError(
      absl::StrCat("redis ", command, ": unexpected reply type ", type));
}

std::string KeyFence(absl::string_view key) {
  return absl::StrCat("smartshop:fence:", key);
}
std::string ScopeFence(absl::string_view scope) {
  return absl::StrCat("smartshop:fence-all:", scope);
}
// Longer than any computation can take. Key fences take their values from
// one sequence, so a fence that expired and was set again never repeats a
// value a computation may have read.
constexpr absl::string_view kKeyFenceMillis = "3600000";
constexpr absl::string_view kFenceSequence = "smartshop:fence-sequence";

constexpr absl::string_view kDeleteScript = R"lua(
redis.call('SET', KEYS[2], redis.call('INCR', KEYS[3]), 'PX', ARGV[1])
return redis.call('DEL', KEYS[1]))lua";

constexpr absl::string_view kSetUnlessScript = R"lua(
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[3]) or
   tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[4]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1)lua";

absl::StatusOr<std::string> TtlMillis(absl::Duration ttl) {
  if (ttl <= absl::ZeroDuration() || ttl == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cache ttl must be positive and finite, got ",
                     absl::FormatDuration(ttl)));
  }
  return absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl)));
}

absl::StatusOr<int64_t> IntegerOf(const redisReply& reply,
                                  absl::string_view command) {
  if (reply.type == REDIS_REPLY_NIL) return 0;
  int64_t value = 0;
  if (reply.type == REDIS_REPLY_INTEGER) return reply.integer;
  if (reply.type == REDIS_REPLY_STRING &&
      absl::SimpleAtoi(absl::string_view(reply.str, reply.len), &value)) {
    return value;
  }
  return UnexpectedReply(command, reply.type);
}

}  // namespace

absl::StatusOr<std::unique_ptr<RedisRecommendationCache>>
RedisRecommendationCache::Create(RedisCacheOptions options) {
  if (absl::Status status = ValidateRedisCacheOptions(options); !status.ok()) {
    return status;
  }
  absl::StatusOr<RedisAddress> address = ParseRedisUrl(options.url);
  if (!address.ok()) return address.status();
  return std::unique_ptr<RedisRecommendationCache>(
      new RedisRecommendationCache(std::move(*address), std::move(options)));
}

RedisRecommendationCache::RedisRecommendationCache(RedisAddress address,
                                                   RedisCacheOptions options)
    : pool_(std::move(address), std::move(options)) {}

absl::Status RedisRecommendationCache::Count(absl::Status status) {
  if (!status.ok()) errors_.fetch_add(1, std::memory_order_relaxed);
  return status;
}

absl::StatusOr<std::optional<smartshop::v1::Recommendations>>
RedisRecommendationCache::Get(const std::string& key, absl::Time deadline) {
  absl::StatusOr<std::optional<std::string>> bytes = GetText(key, deadline);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  smartshop::v1::Recommendations value;
  if (!value.ParseFromString(**bytes)) {
    // Left in place, it would cost every request for this key an error
    // until it expires; gone, the next miss rewrites it.
    pool_
        .Run(deadline,
             [&](RedisSession& session) {
               return session.Command({"DEL", key}).status();
             })
        .IgnoreError();
    return Count(absl::DataLossError(
        absl::StrCat("cached value under \"", key, "\" (", (*bytes)->size(),
                     " bytes) is not a smartshop.v1.Recommendations; "
                     "deleted")));
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return value;
}

absl::Status RedisRecommendationCache::Set(
    const std::string& key, const smartshop::v1::Recommendations& value,
    absl::Duration ttl, absl::Time deadline) {
  std::string bytes;
  if (!value.SerializeToString(&bytes)) {
    return Count(absl::InternalError("cannot serialize recommendations"));
  }
  return SetText(key, bytes, ttl, deadline);
}

absl::StatusOr<std::optional<std::string>> RedisRecommendationCache::GetText(
    const std::string& key, absl::Time deadline) {
  std::optional<std::string> found;
  absl::Status status =
      Count(pool_.Run(deadline, [&](RedisSession& session) -> absl::Status {
        found.reset();
        absl::StatusOr<RedisReply> reply = session.Command({"GET", key});
        if (!reply.ok()) return reply.status();
        if ((*reply)->type == REDIS_REPLY_NIL) return absl::OkStatus();
        if ((*reply)->type != REDIS_REPLY_STRING) {
          return UnexpectedReply("GET", (*reply)->type);
        }
        found.emplace((*reply)->str, (*reply)->len);
        return absl::OkStatus();
      }));
  if (!status.ok()) return status;
  return found;
}

absl::Status RedisRecommendationCache::SetText(const std::string& key,
                                               const std::string& value,
                                               absl::Duration ttl,
                                               absl::Time deadline) {
  absl::StatusOr<std::string> ttl_ms = TtlMillis(ttl);
  if (!ttl_ms.ok()) return Count(ttl_ms.status());
  return Count(pool_.Run(deadline, [&](RedisSession& session) -> absl::Status {
    absl::StatusOr<RedisReply> reply =
        session.Command({"SET", key, value, "PX", *ttl_ms});
    if (!reply.ok()) return reply.status();
    if ((*reply)->type != REDIS_REPLY_STATUS) {
      return UnexpectedReply("SET", (*reply)->type);
    }
    return absl::OkStatus();
  }));
}

absl::StatusOr<int64_t> RedisRecommendationCache::Delete(const std::string& key,
                                                         absl::Time deadline) {
  int64_t deleted = 0;
  absl::Status status =
      Count(pool_.Run(deadline, [&](RedisSession& session) -> absl::Status {
        absl::StatusOr<RedisReply> reply =
            session.Command({"EVAL", kDeleteScript, "3", key, KeyFence(key),
                             kFenceSequence, kKeyFenceMillis});
        if (!reply.ok()) return reply.status();
        if ((*reply)->type != REDIS_REPLY_INTEGER) {
          return UnexpectedReply("EVAL delete", (*reply)->type);
        }
        deleted = (*reply)->integer;
        return absl::OkStatus();
      }));
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<int64_t> RedisRecommendationCache::DeletePrefix(
    const std::string& prefix, absl::Time deadline) {
  if (prefix.empty()) {
    return Count(absl::InvalidArgumentError(
        "DeletePrefix needs a non-empty prefix (an empty one would delete "
        "every key in the database)"));
  }
  const std::string pattern = RedisPrefixPattern(prefix);
  int64_t deleted = 0;
  absl::Status status =
      pool_.Run(deadline, [&](RedisSession& session) -> absl::Status {
        absl::StatusOr<RedisReply> fenced =
            session.Command({"INCR", ScopeFence(prefix)});
        if (!fenced.ok()) return fenced.status();
        std::string cursor = "0";
        do {
          absl::StatusOr<RedisReply> scan = session.Command(
              {"SCAN", cursor, "MATCH", pattern, "COUNT", kScanCount});
          if (!scan.ok()) return scan.status();
          const redisReply& r = **scan;
          if (r.type != REDIS_REPLY_ARRAY || r.elements != 2 ||
              r.element[0]->type != REDIS_REPLY_STRING ||
              r.element[1]->type != REDIS_REPLY_ARRAY) {
            return UnexpectedReply("SCAN", r.type);
          }
          cursor.assign(r.element[0]->str, r.element[0]->len);
          const redisReply& keys = *r.element[1];
          if (keys.elements == 0) continue;
          std::vector<absl::string_view> unlink;
          unlink.reserve(keys.elements + 1);
          unlink.push_back("UNLINK");
          for (size_t i = 0; i < keys.elements; ++i) {
            unlink.emplace_back(keys.element[i]->str, keys.element[i]->len);
          }
          absl::StatusOr<RedisReply> removed = session.Command(unlink);
          if (!removed.ok()) return removed.status();
          if ((*removed)->type != REDIS_REPLY_INTEGER) {
            return UnexpectedReply("UNLINK", (*removed)->type);
          }
          deleted += (*removed)->integer;
        } while (cursor != "0");
        return absl::OkStatus();
      });
  if (!status.ok()) {
    return Count(absl::Status(
        status.code(), absl::StrCat(status.message(), " (after deleting ",
                                    deleted, " keys)")));
  }
  return deleted;
}

absl::StatusOr<RecommendationCache::Fence> RedisRecommendationCache::ReadFence(
    const std::string& key, const std::string& scope, absl::Time deadline) {
  Fence fence;
  absl::Status status =
      Count(pool_.Run(deadline, [&](RedisSession& session) -> absl::Status {
        absl::StatusOr<RedisReply> reply =
            session.Command({"MGET", KeyFence(key), ScopeFence(scope)});
        if (!reply.ok()) return reply.status();
        const redisReply& r = **reply;
        if (r.type != REDIS_REPLY_ARRAY || r.elements != 2) {
          return UnexpectedReply("MGET", r.type);
        }
        absl::StatusOr<int64_t> of_key = IntegerOf(*r.element[0], "MGET");
        if (!of_key.ok()) return of_key.status();
        absl::StatusOr<int64_t> of_scope = IntegerOf(*r.element[1], "MGET");
        if (!of_scope.ok()) return of_scope.status();
        fence = {*of_key, *of_scope};
        return absl::OkStatus();
      }));
  if (!status.ok()) return status;
  return fence;
}

absl::StatusOr<bool> RedisRecommendationCache::SetUnlessInvalidated(
    const std::string& key, const std::string& scope,
    const smartshop::v1::Recommendations& value, absl::Duration ttl,
    const Fence& fence, absl::Time deadline) {
  absl::StatusOr<std::string> ttl_ms = TtlMillis(ttl);
  if (!ttl_ms.ok()) return Count(ttl_ms.status());
  std::string bytes;
  if (!value.SerializeToString(&bytes)) {
    return Count(absl::InternalError("cannot serialize recommendations"));
  }
  const std::string key_fence = absl::StrCat(fence.key);
  const std::string scope_fence = absl::StrCat(fence.scope);
  bool stored = false;
  absl::Status status =
      Count(pool_.Run(deadline, [&](RedisSession& session) -> absl::Status {
        absl::StatusOr<RedisReply> reply = session.Command(
            {"EVAL", kSetUnlessScript, "3", key, KeyFence(key),
             ScopeFence(scope), bytes, *ttl_ms, key_fence, scope_fence});
        if (!reply.ok()) return reply.status();
        if ((*reply)->type != REDIS_REPLY_INTEGER) {
          return UnexpectedReply("EVAL set", (*reply)->type);
        }
        stored = (*reply)->integer == 1;
        return absl::OkStatus();
      }));
  if (!status.ok()) return status;
  return stored;
}

absl::Status RedisRecommendationCache::Ping(absl::Time deadline) {
  return Count(pool_.Run(deadline, [&](RedisSession& session) {
    return session.Command({"PING"}).status();
  }));
}

RedisRecommendationCache::Stats RedisRecommendationCache::stats() const {
  Stats stats;
  stats.hits = hits_.load(std::memory_order_relaxed);
  stats.misses = misses_.load(std::memory_order_relaxed);
  stats.errors = errors_.load(std::memory_order_relaxed);
  stats.connect_attempts = pool_.connect_attempts();
  stats.short_circuited = pool_.short_circuited();
  return stats;
}

}  // namespace smartshop::recommender
