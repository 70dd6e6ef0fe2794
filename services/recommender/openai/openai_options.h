// Configuration of the OpenAI Chat Completions client: where to connect,
// what to trust, how long to wait, what a token costs, when to retry.
// A plain struct with working defaults; ValidateOpenAiOptions checks it once
// at start-up so that a typo fails loudly instead of on the first request.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_OPTIONS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::recommender {

// US dollars per one million tokens. Defaults: gpt-4o-mini list prices.
struct TokenPrices {
  double input_per_million = 0.15;
  // Prompt tokens OpenAI served from its prompt cache.
  double cached_input_per_million = 0.075;
  double output_per_million = 0.60;
};

// Prices by model name. A dated snapshot ("gpt-4o-mini-2024-07-18") is
// priced as its model (see PricesFor).
using ModelPrices = absl::flat_hash_map<std::string, TokenPrices>;

// OpenAI's list prices (standard tier) of the models this service is
// meant to run with: gpt-4o-mini, gpt-4o, gpt-4.1, gpt-4.1-mini,
// gpt-4.1-nano. Others are given with --openai_prices.
const ModelPrices& ListPrices();

// The prices of `model`: its own entry, else that of the longest name in
// `prices` that it starts with followed by '-' (a dated snapshot);
// NOT_FOUND naming the model otherwise.
absl::StatusOr<TokenPrices> PricesFor(const ModelPrices& prices,
                                      absl::string_view model);

// `prices` with the entries of `text` added or replaced:
// "model=input/cached_input/output[,model=...]", US dollars per million
// tokens, e.g. "my-model=0.2/0.1/0.8". INVALID_ARGUMENT naming the entry.
absl::StatusOr<ModelPrices> WithPrices(ModelPrices prices,
                                       absl::string_view text);

struct RetryOptions {
  // Further attempts after a 5xx or a network failure (reset, refused),
  // each after a jittered backoff; then UNAVAILABLE.
  int max_server_error_retries = 1;
  // Further attempts after a 429 whose Retry-After fits before the deadline;
  // then RESOURCE_EXHAUSTED.
  int max_rate_limit_retries = 2;
  // The backoff before a 5xx / network retry is drawn uniformly from
  // [backoff_min, backoff_max], so that replicas do not retry in lockstep.
  absl::Duration backoff_min = absl::Milliseconds(100);
  absl::Duration backoff_max = absl::Milliseconds(300);
  // A wait (backoff or Retry-After) is only worth it when at least this
  // much time is left for the next attempt afterwards.
  absl::Duration min_attempt_time = absl::Milliseconds(100);
};

struct OpenAiOptions {
  // Secret. Sent only in the Authorization header; never logged and never
  // part of a status message. Empty: every Complete() answers
  // FAILED_PRECONDITION (the service then uses its builtin ranker).
  std::string api_key;
  // https://host[:port][/path prefix]; requests go to
  // {base_url}/chat/completions. Only https is accepted: the key must not
  // travel in clear text.
  std::string base_url = "https://api.openai.com/v1";
  // Optional PEM file of extra CAs to trust besides the system store (e.g.
  // the fake server's certificate in tests and the demo).
  std::string ca_file;
  // Bound on establishing a connection: TCP connect plus TLS handshake.
  absl::Duration connect_timeout = absl::Seconds(2);
  // Bound on one Complete() call, retries and waits included, when the
  // caller's deadline is later.
  absl::Duration request_timeout = absl::Seconds(30);
  // Idle keep-alive connections kept for reuse; 0 disables reuse.
  int max_idle_connections = 4;
  // An idle connection older than this is closed rather than reused
  // (servers drop idle connections after a while anyway).
  absl::Duration idle_timeout = absl::Seconds(30);
  // Resolved addresses of the host are reused for this long.
  absl::Duration dns_cache_ttl = absl::Seconds(60);
  // Larger replies are refused with DATA_LOSS.
  int64_t max_response_bytes = 1 << 20;
  // What each model's tokens cost: the estimated cost of every reply, and
  // so the budget's spend. A model without an entry is priced at the
  // TokenPrices defaults; the service refuses to start with such a model.
  ModelPrices prices = ListPrices();
  RetryOptions retry;
  // Failures of one kind are logged the first time and then at most once
  // per interval, with the number suppressed in between.
  absl::Duration log_interval = absl::Seconds(30);
};

// The parts of `base_url` the client needs.
struct BaseUrl {
  std::string host;  // name or IP literal, without IPv6 brackets
  uint16_t port = 443;
  std::string path_prefix;  // "" or "/v1"-like: leading '/', no trailing '/'
};

// INVALID_ARGUMENT naming "base_url" unless `url` is
// https://host[:port][/path] without query, fragment or user info.
absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url);

// INVALID_ARGUMENT naming the offending field. Does not read ca_file (the
// client factory does, when it builds the TLS context).
absl::Status ValidateOpenAiOptions(const OpenAiOptions& options);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_OPTIONS_H_
