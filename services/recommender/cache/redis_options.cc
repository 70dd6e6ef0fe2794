#include "services/recommender/cache/redis_options.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace smartshop::recommender {
namespace {

// The largest database index accepted; Redis has 16 by default and nobody
// configures millions, so anything bigger is a typo.
constexpr int kMaxDb = 1 << 20;
// Where Redis Sentinel listens unless told otherwise.
constexpr int kSentinelPort = 26379;

absl::Status BadUrl(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "RedisCacheOptions.url \"", url, "\": ", why,
      " (expected redis://host[:port][/db] or "
      "redis-sentinel://host[:port][,host[:port]...][/db]#master)"));
}

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool ValidHostName(absl::string_view host) {
  if (host.empty()) return false;
  for (char c : host) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!absl::ascii_isalnum(u) && c != '.' && c != '-' && c != '_') {
      return false;
    }
  }
  return true;
}

// "host[:port]" or "[ipv6][:port]" of `url`; `default_port` when left out.
absl::StatusOr<RedisEndpoint> ParseEndpoint(absl::string_view url,
                                            absl::string_view authority,
                                            int default_port) {
  RedisEndpoint endpoint{.host = "", .port = default_port};
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return BadUrl(url, "unterminated IPv6 literal");
    }
    endpoint.host = std::string(authority.substr(1, close - 1));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!absl::StartsWith(after, ":")) {
        return BadUrl(url, "junk after the IPv6 literal");
      }
      port = after.substr(1);
      if (port.empty()) return BadUrl(url, "empty port");
    }
    if (endpoint.host.empty() ||
        endpoint.host.find_first_not_of("0123456789abcdefABCDEF:.") !=
            std::string::npos) {
      return BadUrl(url, "bad IPv6 literal");
    }
  } else {
    const size_t colon = authority.find(':');
    endpoint.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return BadUrl(url, "empty port");
    }
    if (!ValidHostName(endpoint.host)) {
      return BadUrl(url, "bad or missing host");
    }
  }
  if (!port.empty()) {
    int value = 0;
    if (!AllDigits(port) || !absl::SimpleAtoi(port, &value) || value < 1 ||
        value > 65535) {
      return BadUrl(url, "port must be 1 to 65535");
    }
    endpoint.port = value;
  }
  return endpoint;
}

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "redis://";
  constexpr absl::string_view kSentinelScheme = "redis-sentinel://";
  const bool sentinel = absl::StartsWith(url, kSentinelScheme);
  if (!sentinel && !absl::StartsWith(url, kScheme)) {
    return BadUrl(url,
                  "scheme must be redis:// or redis-sentinel:// (TLS is not "
                  "supported)");
  }
  absl::string_view rest =
      url.substr(sentinel ? kSentinelScheme.size() : kScheme.size());
  if (absl::StrContains(rest.substr(0, rest.find_first_of("/#")), '@')) {
    // Checked before anything else is echoed back, and without echoing the
    // URL: it holds a secret.
    return absl::InvalidArgumentError(
        "RedisCacheOptions.url: credentials are not accepted in the URL; "
        "set the password field (REDIS_PASSWORD) instead");
  }
  RedisAddress address;
  if (sentinel) {
    const size_t hash = rest.find('#');
    if (hash == absl::string_view::npos || hash + 1 == rest.size()) {
      return BadUrl(url, "redis-sentinel:// needs the master's name after #");
    }
    address.master_name = std::string(rest.substr(hash + 1));
    if (!ValidHostName(address.master_name)) {
      return BadUrl(url, "bad master name after #");
    }
    rest = rest.substr(0, hash);
  }
  if (absl::StrContains(rest, '?') || absl::StrContains(rest, '#')) {
    return BadUrl(url, "query and fragment are not supported");
  }
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path =
      slash == absl::string_view::npos ? "" : rest.substr(slash + 1);

  if (sentinel) {
    for (absl::string_view part : absl::StrSplit(authority, ',')) {
      absl::StatusOr<RedisEndpoint> endpoint =
          ParseEndpoint(url, part, kSentinelPort);
      if (!endpoint.ok()) return endpoint.status();
      address.sentinels.push_back(*std::move(endpoint));
    }
  } else {
    absl::StatusOr<RedisEndpoint> endpoint =
        ParseEndpoint(url, authority, address.port);
    if (!endpoint.ok()) return endpoint.status();
    address.host = std::move(endpoint->host);
    address.port = endpoint->port;
  }
  if (!path.empty()) {
    int value = 0;
    if (!AllDigits(path) || !absl::SimpleAtoi(path, &value) || value > kMaxDb) {
      return BadUrl(url, "database must be a number after the /");
    }
    address.db = value;
  }
  return address;
}

absl::Status ValidateRedisCacheOptions(const RedisCacheOptions& options) {
  if (absl::StatusOr<RedisAddress> address = ParseRedisUrl(options.url);
      !address.ok()) {
    return address.status();
  }
  auto positive = [](absl::Duration d, absl::string_view field) {
    if (d > absl::ZeroDuration() && d < absl::InfiniteDuration()) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "RedisCacheOptions.", field, " must be positive and finite, got ",
        absl::FormatDuration(d)));
  };
  if (absl::Status s = positive(options.connect_timeout, "connect_timeout");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = positive(options.command_timeout, "command_timeout");
      !s.ok()) {
    return s;
  }
  if (options.reconnect_backoff < absl::ZeroDuration() ||
      options.reconnect_backoff == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("RedisCacheOptions.reconnect_backoff must be >= 0 and "
                     "finite, got ",
                     absl::FormatDuration(options.reconnect_backoff)));
  }
  if (options.breaker_timeouts < 1 || options.breaker_timeouts > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("RedisCacheOptions.breaker_timeouts must be 1 to 1000, "
                     "got ",
                     options.breaker_timeouts));
  }
  if (options.breaker_min_wait < absl::ZeroDuration() ||
      options.breaker_min_wait > options.command_timeout) {
    // Longer than the command timeout, no cut-off would ever count.
    return absl::InvalidArgumentError(absl::StrCat(
        "RedisCacheOptions.breaker_min_wait must be 0 to command_timeout (",
        absl::FormatDuration(options.command_timeout), "), got ",
        absl::FormatDuration(options.breaker_min_wait)));
  }
  if (absl::Status s = positive(options.breaker_backoff, "breaker_backoff");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          positive(options.sentinel_check_interval, "sentinel_check_interval");
      !s.ok()) {
    return s;
  }
  if (options.pool_size < 1 || options.pool_size > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("RedisCacheOptions.pool_size must be 1 to 1024, got ",
                     options.pool_size));
  }
  return absl::OkStatus();
}

std::string DescribeRedisEndpoint(const RedisEndpoint& endpoint) {
  const bool ipv6 = absl::StrContains(endpoint.host, ':');
  return absl::StrCat(ipv6 ? "[" : "", endpoint.host, ipv6 ? "]" : "", ":",
                      endpoint.port);
}

std::string DescribeRedisAddress(const RedisAddress& address) {
  if (!address.sentinels.empty()) {
    return absl::StrCat(
        "sentinel master ", address.master_name, " via ",
        absl::StrJoin(address.sentinels, ",",
                      [](std::string* out, const RedisEndpoint& endpoint) {
                        out->append(DescribeRedisEndpoint(endpoint));
                      }),
        "/", address.db);
  }
  return absl::StrCat(
      DescribeRedisEndpoint({.host = address.host, .port = address.port}), "/",
      address.db);
}

}  // namespace smartshop::recommender
