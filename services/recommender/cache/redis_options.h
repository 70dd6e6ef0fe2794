// Settings of the Redis recommendation cache (redis_recommendation_cache.h)
// and the parsing of its URL, checked once at start-up so that a typo stops
// the service with a message naming the field instead of failing per request.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_OPTIONS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::recommender {

struct RedisCacheOptions {
  // redis://host[:port][/db]; port 6379 and database 0 when left out. Or,
  // behind Redis Sentinel, redis-sentinel://host[:port][,host[:port]...]
  // [/db]#master: the sentinels (port 26379 when left out) to ask for the
  // current primary of `master`. No credentials here: URLs end up in logs,
  // the password does not.
  std::string url = "redis://127.0.0.1:6379";
  // Sent with AUTH after connecting when not empty (e.g. from
  // REDIS_PASSWORD). Never logged.
  std::string password{};
  // Bound on establishing one connection (TCP connect, AUTH, SELECT).
  absl::Duration connect_timeout = absl::Milliseconds(200);
  // Bound on one command; a caller's earlier deadline shortens it.
  absl::Duration command_timeout = absl::Milliseconds(100);
  // Most connections open at once; concurrent callers beyond this wait for a
  // free one (until their deadline).
  int pool_size = 8;
  // After a failed connect, calls fail fast with UNAVAILABLE for this long
  // instead of each paying for another attempt against a dead server.
  absl::Duration reconnect_backoff = absl::Milliseconds(500);
  // Pausing a hung Redis (see redis_breaker.h): after this many timeouts in
  // a row (1 to 1000) calls fail fast with UNAVAILABLE for breaker_backoff,
  // then one call probes.
  int breaker_timeouts = 3;
  // A command cut short by the caller's deadline counts as a timeout when it
  // had waited at least this long (0 to command_timeout).
  absl::Duration breaker_min_wait = absl::Milliseconds(20);
  // Fixed, not growing: a probe costs one caller one command timeout.
  absl::Duration breaker_backoff = absl::Seconds(5);
  // redis-sentinel:// only: how often a connected pool asks the sentinels
  // whether the primary moved, which bounds how long after a failover it
  // may still write to the old primary (until that one turns read-only).
  absl::Duration sentinel_check_interval = absl::Seconds(1);
};

struct RedisEndpoint {
  std::string host;  // without the brackets of an IPv6 literal
  int port = 6379;

  friend bool operator==(const RedisEndpoint&, const RedisEndpoint&) = default;
};

// Where a RedisCacheOptions::url points.
struct RedisAddress {
  // The server (redis://); unused when `sentinels` is not empty.
  std::string host;  // without the brackets of an IPv6 literal
  int port = 6379;
  int db = 0;
  // redis-sentinel://: the sentinels to ask, in order, and the name of the
  // primary they watch (sentinel_resolver.h).
  std::vector<RedisEndpoint> sentinels{};
  std::string master_name{};
};

// Parses "redis://host[:port][/db]" and
// "redis-sentinel://host[:port][,host[:port]...][/db]#master".
// INVALID_ARGUMENT naming `url` when it has another scheme, credentials, a
// query, a fragment (redis://) or no master name (redis-sentinel://), or a
// bad host, port or db.
absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url);

// Checks every field; INVALID_ARGUMENT naming the first bad one.
absl::Status ValidateRedisCacheOptions(const RedisCacheOptions& options);

// "host:port/db", or "sentinel master NAME via host:port,.../db", for log
// lines and error messages.
std::string DescribeRedisAddress(const RedisAddress& address);
// "host:port" ("[::1]:port" for IPv6).
std::string DescribeRedisEndpoint(const RedisEndpoint& endpoint);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_OPTIONS_H_
