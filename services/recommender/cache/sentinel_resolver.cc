#include "services/recommender/cache/sentinel_resolver.h"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace smartshop::recommender {
namespace {

// hiredis treats a zero timeval as "no timeout", so never hand it one.
constexpr absl::Duration kMinSentinelTimeout = absl::Milliseconds(1);

struct ContextDeleter {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

}  // namespace

SentinelResolver::SentinelResolver(std::vector<RedisEndpoint> sentinels,
                                   std::string master_name,
                                   absl::Duration timeout)
    : sentinels_(std::move(sentinels)),
      master_name_(std::move(master_name)),
      timeout_(timeout) {}

absl::StatusOr<RedisEndpoint> SentinelResolver::Primary(
    absl::Time deadline) const {
  const size_t first = preferred_.load(std::memory_order_relaxed);
  absl::Status last;
  for (size_t i = 0; i < sentinels_.size(); ++i) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "deadline passed while asking sentinels for ", master_name_,
          last.ok() ? "" : absl::StrCat(" (", last.message(), ")")));
    }
    const size_t index = (first + i) % sentinels_.size();
    absl::StatusOr<RedisEndpoint> primary = Ask(sentinels_[index], deadline);
    if (primary.ok()) {
      preferred_.store(index, std::memory_order_relaxed);
      return primary;
    }
    last = primary.status();
  }
  return absl::UnavailableError(
      absl::StrCat("no sentinel knows the primary of ", master_name_, " (",
                   last.message(), ")"));
}

absl::StatusOr<RedisEndpoint> SentinelResolver::Ask(
    const RedisEndpoint& sentinel, absl::Time deadline) const {
  const std::string where =
      absl::StrCat("sentinel ", DescribeRedisEndpoint(sentinel));
  const absl::Duration timeout =
      std::max(kMinSentinelTimeout, std::min(timeout_, deadline - absl::Now()));
  std::unique_ptr<redisContext, ContextDeleter> context(redisConnectWithTimeout(
      sentinel.host.c_str(), sentinel.port, absl::ToTimeval(timeout)));
  if (context == nullptr) {
    return absl::UnavailableError(
        absl::StrCat(where, ": cannot allocate a connection"));
  }
  if (context->err != 0) {
    return absl::UnavailableError(
        absl::StrCat(where, ": connect: ", context->errstr));
  }
  if (redisSetTimeout(context.get(), absl::ToTimeval(timeout)) != REDIS_OK) {
    return absl::UnavailableError(
        absl::StrCat(where, ": setting timeout: ", context->errstr));
  }
  std::unique_ptr<redisReply, ReplyDeleter> reply(static_cast<redisReply*>(
      redisCommand(context.get(), "SENTINEL get-master-addr-by-name %b",
                   master_name_.data(), master_name_.size())));
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        where, ": ",
        context->errstr[0] != '\0' ? context->errstr : "no reply"));
  }
  if (reply->type == REDIS_REPLY_NIL) {
    return absl::UnavailableError(
        absl::StrCat(where, ": does not watch ", master_name_));
  }
  int port = 0;
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_STRING ||
      !absl::SimpleAtoi(
          absl::string_view(reply->element[1]->str, reply->element[1]->len),
          &port) ||
      port < 1 || port > 65535) {
    return absl::UnavailableError(
        absl::StrCat(where, ": unexpected reply to get-master-addr-by-name"));
  }
  return RedisEndpoint{
      .host = std::string(reply->element[0]->str, reply->element[0]->len),
      .port = port};
}

}  // namespace smartshop::recommender
