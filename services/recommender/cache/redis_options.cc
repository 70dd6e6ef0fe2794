#include "services/recommender/cache/redis_options.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace smartshop::recommender {
namespace {

// The largest database index accepted; Redis has 16 by default and nobody
// configures millions, so anything bigger is a typo.
constexpr int kMaxDb = 1 << 20;

absl::Status BadUrl(absl::string_view url, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("RedisCacheOptions.url \"", url, "\": ", why,
                   " (expected redis://host[:port][/db])"));
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

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "redis://";
  if (!absl::StartsWith(url, kScheme)) {
    return BadUrl(url, "scheme must be redis:// (TLS is not supported)");
  }
  absl::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  absl::string_view authority = rest.substr(0, slash);
  absl::string_view path =
      slash == absl::string_view::npos ? "" : rest.substr(slash + 1);

  if (absl::StrContains(authority, '@')) {
    // Checked before anything else is echoed back, and without echoing the
    // URL: it holds a secret.
    return absl::InvalidArgumentError(
        "RedisCacheOptions.url: credentials are not accepted in the URL; "
        "set the password field (REDIS_PASSWORD) instead");
  }
  if (absl::StrContains(rest, '?') || absl::StrContains(rest, '#')) {
    return BadUrl(url, "query and fragment are not supported");
  }

  RedisAddress address;
  absl::string_view port;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) {
      return BadUrl(url, "unterminated IPv6 literal");
    }
    address.host = std::string(authority.substr(1, close - 1));
    absl::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (!absl::StartsWith(after, ":")) {
        return BadUrl(url, "junk after the IPv6 literal");
      }
      port = after.substr(1);
      if (port.empty()) return BadUrl(url, "empty port");
    }
    if (address.host.empty() ||
        address.host.find_first_not_of("0123456789abcdefABCDEF:.") !=
            std::string::npos) {
      return BadUrl(url, "bad IPv6 literal");
    }
  } else {
    const size_t colon = authority.find(':');
    address.host = std::string(authority.substr(0, colon));
    if (colon != absl::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return BadUrl(url, "empty port");
    }
    if (!ValidHostName(address.host)) return BadUrl(url, "bad or missing host");
  }

  if (!port.empty()) {
    int value = 0;
    if (!AllDigits(port) || !absl::SimpleAtoi(port, &value) || value < 1 ||
        value > 65535) {
      return BadUrl(url, "port must be 1 to 65535");
    }
    address.port = value;
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
  if (options.pool_size < 1 || options.pool_size > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("RedisCacheOptions.pool_size must be 1 to 1024, got ",
                     options.pool_size));
  }
  return absl::OkStatus();
}

std::string DescribeRedisAddress(const RedisAddress& address) {
  const bool ipv6 = absl::StrContains(address.host, ':');
  return absl::StrCat(ipv6 ? "[" : "", address.host, ipv6 ? "]" : "", ":",
                      address.port, "/", address.db);
}

}  // namespace smartshop::recommender
