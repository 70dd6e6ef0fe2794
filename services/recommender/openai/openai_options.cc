#include "services/recommender/openai/openai_options.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace smartshop::recommender {
namespace {

absl::Status BadUrl(absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("base_url: ", why, " (want https://host[:port][/path])"));
}

bool IsHostChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.' || c == '_';
}

bool IsPathChar(char c) {
  // Printable ASCII except the characters that would end the path or
  // change the meaning of the request line.
  return c > 0x20 && c < 0x7f && c != '?' && c != '#' && c != '\\';
}

bool ValidPrice(double usd_per_million) {
  return std::isfinite(usd_per_million) && usd_per_million >= 0;
}

}  // namespace

const ModelPrices& ListPrices() {
  // US dollars per million tokens: input, cached input, output.
  static const ModelPrices* const kPrices = new ModelPrices{
      {"gpt-4o-mini", {0.15, 0.075, 0.60}},
      {"gpt-4o", {2.50, 1.25, 10.00}},
      {"gpt-4.1", {2.00, 0.50, 8.00}},
      {"gpt-4.1-mini", {0.40, 0.10, 1.60}},
      {"gpt-4.1-nano", {0.10, 0.025, 0.40}},
  };
  return *kPrices;
}

absl::StatusOr<TokenPrices> PricesFor(const ModelPrices& prices,
                                      absl::string_view model) {
  if (auto it = prices.find(model); it != prices.end()) return it->second;
  const TokenPrices* best = nullptr;
  size_t best_length = 0;
  for (const auto& [name, entry] : prices) {
    if (name.size() > best_length && model.size() > name.size() &&
        absl::StartsWith(model, name) && model[name.size()] == '-') {
      best = &entry;
      best_length = name.size();
    }
  }
  if (best != nullptr) return *best;
  return absl::NotFoundError(
      absl::StrCat("no price for model \"", model, "\""));
}

absl::StatusOr<ModelPrices> WithPrices(ModelPrices prices,
                                       absl::string_view text) {
  for (absl::string_view entry :
       absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    auto bad = [entry](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("--openai_prices: \"", entry, "\" ", why,
                       " (want model=input/cached_input/output, US dollars "
                       "per million tokens)"));
    };
    const std::vector<absl::string_view> name_and_prices =
        absl::StrSplit(entry, absl::MaxSplits('=', 1));
    const absl::string_view model =
        absl::StripAsciiWhitespace(name_and_prices[0]);
    if (name_and_prices.size() != 2 || model.empty()) {
      return bad("has no model name");
    }
    const std::vector<absl::string_view> numbers =
        absl::StrSplit(name_and_prices[1], '/');
    if (numbers.size() != 3) return bad("needs three prices");
    double values[3];
    for (int i = 0; i < 3; ++i) {
      if (!absl::SimpleAtod(numbers[i], &values[i]) || !ValidPrice(values[i]) ||
          values[i] > 1000) {
        return bad("has a price that is not a number from 0 to 1000");
      }
    }
    prices[std::string(model)] = TokenPrices{values[0], values[1], values[2]};
  }
  return prices;
}

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url) {
  constexpr absl::string_view kScheme = "https://";
  if (!absl::StartsWithIgnoreCase(url, kScheme)) {
    return BadUrl(absl::StartsWithIgnoreCase(url, "http://")
                      ? "plain http would send the API key in clear text"
                      : "scheme must be https");
  }
  url.remove_prefix(kScheme.size());
  if (url.find_first_of("?#") != absl::string_view::npos) {
    return BadUrl("query and fragment are not allowed");
  }
  const size_t slash = url.find('/');
  absl::string_view authority = url.substr(0, slash);
  absl::string_view path =
      slash == absl::string_view::npos ? "" : url.substr(slash);
  if (absl::StrContains(authority, '@')) {
    return BadUrl("user info is not allowed");
  }

  BaseUrl result;
  absl::string_view port_text;
  if (absl::StartsWith(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == absl::string_view::npos) return BadUrl("unclosed '['");
    absl::string_view host = authority.substr(1, close - 1);
    for (char c : host) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':' &&
          c != '.') {
        return BadUrl("bad IPv6 literal");
      }
    }
    result.host = std::string(host);
    absl::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return BadUrl("junk after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return BadUrl("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    absl::string_view host = authority.substr(0, colon);
    for (char c : host) {
      if (!IsHostChar(c)) return BadUrl("bad character in host");
    }
    result.host = absl::AsciiStrToLower(host);
    if (colon != absl::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return BadUrl("empty port");
    }
  }
  if (result.host.empty()) return BadUrl("missing host");
  if (!port_text.empty()) {
    uint32_t port = 0;
    const bool digits_only =
        std::all_of(port_text.begin(), port_text.end(), [](char c) {
          return absl::ascii_isdigit(static_cast<unsigned char>(c));
        });
    if (!digits_only || !absl::SimpleAtoi(port_text, &port) || port == 0 ||
        port > 65535) {
      return BadUrl("port must be 1-65535");
    }
    result.port = static_cast<uint16_t>(port);
  }

  while (absl::EndsWith(path, "/")) path.remove_suffix(1);
  for (char c : path) {
    if (!IsPathChar(c)) return BadUrl("bad character in path");
  }
  result.path_prefix = std::string(path);
  return result;
}

absl::Status ValidateOpenAiOptions(const OpenAiOptions& options) {
  for (char c : options.api_key) {
    // A control character would split or corrupt the header line. The
    // message deliberately does not quote the key.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "api_key: contains control characters (a trailing newline from a "
          "secret file?)");
    }
  }
  if (absl::StatusOr<BaseUrl> url = ParseBaseUrl(options.base_url); !url.ok()) {
    return url.status();
  }
  auto positive = [](absl::Duration d, absl::string_view field) {
    return d > absl::ZeroDuration() ? absl::OkStatus()
                                    : absl::InvalidArgumentError(absl::StrCat(
                                          field, ": must be positive"));
  };
  for (absl::Status s : {positive(options.connect_timeout, "connect_timeout"),
                         positive(options.request_timeout, "request_timeout"),
                         positive(options.idle_timeout, "idle_timeout"),
                         positive(options.log_interval, "log_interval")}) {
    if (!s.ok()) return s;
  }
  if (options.dns_cache_ttl < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("dns_cache_ttl: must not be negative");
  }
  if (options.max_idle_connections < 0) {
    return absl::InvalidArgumentError(
        "max_idle_connections: must not be negative");
  }
  if (options.max_response_bytes <= 0) {
    return absl::InvalidArgumentError("max_response_bytes: must be positive");
  }
  for (const auto& [model, prices] : options.prices) {
    if (!ValidPrice(prices.input_per_million) ||
        !ValidPrice(prices.cached_input_per_million) ||
        !ValidPrice(prices.output_per_million)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "prices: ", model, "'s must be finite and not negative"));
    }
  }
  const RetryOptions& retry = options.retry;
  if (retry.max_server_error_retries < 0 || retry.max_rate_limit_retries < 0) {
    return absl::InvalidArgumentError("retry: counts must not be negative");
  }
  if (retry.backoff_min < absl::ZeroDuration() ||
      retry.backoff_max < retry.backoff_min) {
    return absl::InvalidArgumentError(
        "retry: need 0 <= backoff_min <= backoff_max");
  }
  if (retry.min_attempt_time < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "retry: min_attempt_time must not be negative");
  }
  return absl::OkStatus();
}

}  // namespace smartshop::recommender
