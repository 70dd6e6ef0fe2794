#include "services/recommender/openai/openai_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "absl/random/distributions.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "boost/beast/http/field.hpp"
#include "boost/beast/http/verb.hpp"
#include "common/json_log.h"
#include "services/recommender/openai/chat_json.h"
#include "services/recommender/openai/connection_pool.h"
#include "services/recommender/openai/deadline_resolver.h"
#include "services/recommender/openai/tls_connection.h"

namespace smartshop::recommender {
namespace {

namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using openai_internal::Clock;
using openai_internal::ConnectionPool;
using openai_internal::DeadlineResolver;
using openai_internal::HttpRequest;
using openai_internal::HttpResponse;
using openai_internal::TlsConnection;
using openai_internal::TransportStatus;

// Beast's timers run on the steady clock; deadlines arrive as absl::Time.
Clock::time_point ToSteady(absl::Time deadline) {
  const absl::Duration left =
      std::clamp(deadline - absl::Now(), absl::ZeroDuration(), absl::Hours(24));
  return Clock::now() + absl::ToChronoNanoseconds(left);
}

std::string HostHeader(const BaseUrl& url) {
  std::string host = url.host.find(':') == std::string::npos
                         ? url.host
                         : absl::StrCat("[", url.host, "]");
  return url.port == 443 ? host : absl::StrCat(host, ":", url.port);
}

// Replaces every occurrence of `key` in `text`.
void RemoveKey(const std::string& key, std::string* text) {
  if (!key.empty() && text->find(key) != std::string::npos) {
    *text = absl::StrReplaceAll(*text, {{key, "<redacted>"}});
  }
}

// ": <OpenAI's error message>" when the error body had one.
std::string Detail(const std::string& message) {
  return message.empty() ? "" : absl::StrCat(": ", message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<OpenAiClient>> OpenAiClient::Create(
    OpenAiOptions options) {
  if (absl::Status valid = ValidateOpenAiOptions(options); !valid.ok()) {
    return valid;
  }
  absl::StatusOr<BaseUrl> base_url = ParseBaseUrl(options.base_url);
  if (!base_url.ok()) return base_url.status();
  try {
    auto context = std::make_unique<ssl::context>(ssl::context::tlsv12_client);
    // tlsv12_client pins TLS 1.2 as both minimum and maximum; lift the
    // maximum so that TLS 1.3 is used where the server offers it.
    SSL_CTX_set_max_proto_version(context->native_handle(), 0);
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot load the system CA store: ", ec.message()));
    }
    if (!options.ca_file.empty()) {
      context->load_verify_file(options.ca_file, ec);
      if (ec) {
        return absl::InvalidArgumentError(absl::StrCat(
            "ca_file: cannot load ", options.ca_file, ": ", ec.message()));
      }
    }
    context->set_verify_mode(ssl::verify_peer, ec);
    if (ec) return absl::InternalError("cannot enable peer verification");
    return std::unique_ptr<OpenAiClient>(new OpenAiClient(
        std::move(options), *std::move(base_url), std::move(context)));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("cannot create the TLS context: ", e.what()));
  }
}

OpenAiClient::OpenAiClient(OpenAiOptions options, BaseUrl base_url,
                           std::unique_ptr<ssl::context> ssl_context)
    : options_(std::move(options)),
      base_url_(std::move(base_url)),
      target_(absl::StrCat(base_url_.path_prefix, "/chat/completions")),
      host_header_(HostHeader(base_url_)),
      ssl_context_(std::move(ssl_context)),
      resolver_(std::make_unique<DeadlineResolver>(
          base_url_.host, base_url_.port, options_.dns_cache_ttl)),
      pool_(std::make_unique<ConnectionPool>(options_.max_idle_connections,
                                             options_.idle_timeout)),
      log_throttle_(options_.log_interval) {}

OpenAiClient::~OpenAiClient() = default;

absl::StatusOr<ChatCompletion> OpenAiClient::Complete(
    const ChatRequest& request, absl::Time deadline) {
  const absl::Time start = absl::Now();
  absl::StatusOr<ChatCompletion> result;
  try {
    result = CompleteWithRetries(
        request, std::min(deadline, start + options_.request_timeout));
  } catch (const std::exception& e) {
    // Nothing here is meant to throw (Beast is used with error codes), but
    // the contract is statuses only, so a surprise becomes one too.
    result = absl::InternalError(
        absl::StrCat("unexpected exception in the OpenAI client: ", e.what()));
  }
  const absl::Duration latency = absl::Now() - start;
  if (result.ok()) {
    stats_.RecordCall(absl::OkStatus(), result->prompt_tokens,
                      result->cached_prompt_tokens, result->completion_tokens,
                      result->estimated_cost_usd, latency);
    return result;
  }
  absl::Status status = WithoutKey(result.status());
  stats_.RecordCall(status, 0, 0, 0, 0, latency);
  LogFailure(status);
  return status;
}

bool OpenAiClient::StructuredOutputSupported(const std::string& model) const {
  absl::MutexLock lock(&structured_mu_);
  return !structured_unsupported_.contains(model);
}

bool OpenAiClient::MarkStructuredOutputUnsupported(const std::string& model) {
  absl::MutexLock lock(&structured_mu_);
  return structured_unsupported_.insert(model).second;
}

absl::StatusOr<ChatCompletion> OpenAiClient::CompleteWithRetries(
    const ChatRequest& request, absl::Time deadline) {
  if (options_.api_key.empty()) {
    return absl::FailedPreconditionError(
        "OpenAI API key not configured (OPENAI_API_KEY)");
  }
  // Structured output unless the server already said this model has none
  // (each model apart: a secondary model's gateway may lack it while the
  // primary's has it).
  bool structured = request.response_schema.has_value() &&
                    StructuredOutputSupported(request.model);
  std::string body = BodyFor(request, structured);
  const RetryOptions& retry = options_.retry;
  int server_retries = 0;
  int rate_limit_retries = 0;
  for (bool is_retry = false;; is_retry = true) {
    HttpResponse response;
    TransportStatus transport = Exchange(body, deadline, is_retry, &response);
    if (!transport.ok()) {
      if (transport.retryable &&
          server_retries < retry.max_server_error_retries &&
          WaitIfItFits(Backoff(), deadline)) {
        ++server_retries;
        continue;
      }
      return transport.status;
    }

    // A reply may quote the key (an error body echoing the request, say).
    // Scrubbed here, before any part of it can reach a status message: a
    // snippet cut short would no longer match a later, whole-key scrub.
    RemoveKey(options_.api_key, &response.body);
    const int code = response.status;
    if (code >= 200 && code < 300) {
      absl::StatusOr<ChatCompletion> completion = ParseChatCompletionsBody(
          response.body,
          PricesFor(options_.prices, request.model).value_or(TokenPrices{}));
      if (completion.ok()) completion->structured = structured;
      return completion;
    }
    const std::string detail = Detail(ErrorMessageFromBody(response.body));
    if (structured && RejectsResponseFormat(code, response.body)) {
      // A gateway or model without structured outputs: the same request
      // once more without response_format, and never again with it (the
      // caller then parses the reply tolerantly). Not counted as a retry.
      structured = false;
      body = BodyFor(request, false);
      stats_.RecordStructuredFallback();
      if (MarkStructuredOutputUnsupported(request.model)) {
        Log(LogLevel::kWarning, "openai_structured_output_unsupported",
            {{"model", request.model},
             {"http_status", int64_t{code}},
             {"message", ErrorMessageFromBody(response.body)}});
      }
      continue;
    }
    if (code == 401) {
      // OpenAI's message quotes part of the key; say what to do instead.
      return absl::UnauthenticatedError(
          "OpenAI refused the API key (HTTP 401); check OPENAI_API_KEY");
    }
    if (code == 403) {
      return absl::PermissionDeniedError(
          absl::StrCat("OpenAI denied access (HTTP 403)", detail));
    }
    if (code == 429) {
      const std::optional<absl::Duration> wait =
          ParseRetryAfter(response.retry_after_ms, response.retry_after);
      if (wait && rate_limit_retries < retry.max_rate_limit_retries &&
          WaitIfItFits(*wait, deadline)) {
        ++rate_limit_retries;
        continue;
      }
      std::string why =
          !wait ? "no Retry-After"
          : rate_limit_retries >= retry.max_rate_limit_retries
              ? "still limited after retrying"
              : absl::StrCat("Retry-After ", absl::FormatDuration(*wait),
                             " does not fit before the deadline");
      return absl::ResourceExhaustedError(
          absl::StrCat("OpenAI rate limit (HTTP 429), ", why, detail));
    }
    // OpenAI's own SDKs retry 408 and 409 like server errors.
    if (code >= 500 || code == 408 || code == 409) {
      if (server_retries < retry.max_server_error_retries &&
          WaitIfItFits(Backoff(), deadline)) {
        ++server_retries;
        continue;
      }
      return absl::UnavailableError(absl::StrCat("OpenAI answered HTTP ", code,
                                                 " after ", server_retries + 1,
                                                 " attempt(s)", detail));
    }
    return absl::InternalError(
        absl::StrCat("OpenAI answered HTTP ", code, detail));
  }
}

std::string OpenAiClient::BodyFor(const ChatRequest& request, bool structured) {
  if (structured || !request.response_schema.has_value()) {
    return BuildChatCompletionsBody(request);
  }
  ChatRequest plain = request;
  plain.response_schema.reset();
  return BuildChatCompletionsBody(plain);
}

TransportStatus OpenAiClient::Exchange(const std::string& body,
                                       absl::Time deadline, bool is_retry,
                                       HttpResponse* response) {
  HttpRequest request{http::verb::post, target_, 11};
  request.set(http::field::host, host_header_);
  request.set(http::field::authorization,
              absl::StrCat("Bearer ", options_.api_key));
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json");
  request.set(http::field::user_agent, "smartshop-recommender");
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  const Clock::time_point steady_deadline = ToSteady(deadline);

  if (std::unique_ptr<TlsConnection> connection = pool_->Take()) {
    stats_.RecordConnection(/*reused=*/true);
    stats_.RecordRequestSent(is_retry);
    TransportStatus status = connection->RoundTrip(
        request, options_.max_response_bytes, steady_deadline, response);
    if (status.ok() && response->keep_alive) {
      pool_->Put(std::move(connection));
    }
    // A kept-alive connection that the server closed while it sat idle
    // fails before any byte of a reply. That says nothing about the
    // request, so it goes out again on a fresh connection, not counted as
    // a retry. Any other outcome is the request's own.
    if (status.ok() || !status.retryable || !status.nothing_received) {
      return status;
    }
  }

  absl::StatusOr<DeadlineResolver::Endpoints> endpoints =
      resolver_->Resolve(deadline);
  if (!endpoints.ok()) return {endpoints.status()};
  auto connection =
      std::make_unique<TlsConnection>(*ssl_context_, base_url_.host);
  TransportStatus status = connection->Connect(
      *endpoints,
      Clock::now() + absl::ToChronoNanoseconds(options_.connect_timeout),
      steady_deadline);
  if (!status.ok()) return status;
  stats_.RecordConnection(/*reused=*/false);
  stats_.RecordRequestSent(is_retry);
  status = connection->RoundTrip(request, options_.max_response_bytes,
                                 steady_deadline, response);
  if (status.ok() && response->keep_alive) pool_->Put(std::move(connection));
  return status;
}

bool OpenAiClient::WaitIfItFits(absl::Duration wait,
                                absl::Time deadline) const {
  if (absl::Now() + wait + options_.retry.min_attempt_time > deadline) {
    return false;
  }
  absl::SleepFor(wait);
  return true;
}

absl::Duration OpenAiClient::Backoff() const {
  // absl::BitGen is not thread-safe; one per thread avoids a lock.
  thread_local absl::BitGen bitgen;
  const int64_t low = absl::ToInt64Microseconds(options_.retry.backoff_min);
  const int64_t high = absl::ToInt64Microseconds(options_.retry.backoff_max);
  return absl::Microseconds(
      absl::Uniform(absl::IntervalClosed, bitgen, low, high));
}

void OpenAiClient::LogFailure(const absl::Status& status) {
  int64_t suppressed = 0;
  const std::string code = absl::StatusCodeToString(status.code());
  if (!log_throttle_.Admit(code, absl::Now(), &suppressed)) return;
  // A refused or missing key will not fix itself: an operator must act.
  const bool needs_operator =
      status.code() == absl::StatusCode::kUnauthenticated ||
      status.code() == absl::StatusCode::kPermissionDenied ||
      status.code() == absl::StatusCode::kFailedPrecondition;
  Log(needs_operator ? LogLevel::kError : LogLevel::kWarning,
      "openai_call_failed",
      {{"code", code},
       {"message", status.message()},
       {"suppressed_since_last", suppressed}});
}

absl::Status OpenAiClient::WithoutKey(const absl::Status& status) const {
  // Defence in depth: no message is built from the key, and reply bodies
  // are scrubbed on arrival.
  std::string message(status.message());
  RemoveKey(options_.api_key, &message);
  return message == status.message() ? status
                                     : absl::Status(status.code(), message);
}

}  // namespace smartshop::recommender
