// LlmClient over OpenAI's Chat Completions API: HTTPS with certificate and
// host name verification (Boost.Beast + OpenSSL), kept-alive connections,
// deadlines on every step, and a retry policy per failure kind (see
// Complete). Beast error codes and exceptions stay inside; callers see
// absl::Status codes only.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_CLIENT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_CLIENT_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/ssl/context.hpp"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/openai/log_throttle.h"
#include "services/recommender/openai/openai_options.h"
#include "services/recommender/openai/openai_stats.h"

namespace smartshop::recommender {

namespace openai_internal {
class ConnectionPool;
class DeadlineResolver;
struct HttpResponse;
struct TransportStatus;
}  // namespace openai_internal

// Thread-safe: any number of threads may call Complete() at once; each
// uses a connection of its own.
class OpenAiClient : public LlmClient {
 public:
  // Validates `options` (INVALID_ARGUMENT naming the field, e.g. a bad
  // base_url or an unreadable ca_file) and builds the TLS context: the
  // system CA store plus ca_file when set. Connects lazily.
  static absl::StatusOr<std::unique_ptr<OpenAiClient>> Create(
      OpenAiOptions options);

  // Closes idle connections; waits for no call (callers must be done).
  ~OpenAiClient() override;

  // POST {base_url}/chat/completions, finished by the earlier of `deadline`
  // and now + options.request_timeout. Beyond LlmClient's contract:
  //   - 401 / 403 are not retried and are logged as errors;
  //   - 429 is retried (max_rate_limit_retries) after Retry-After when that
  //     fits before the deadline, otherwise RESOURCE_EXHAUSTED at once;
  //   - 5xx, 408, 409 and network failures are retried
  //     (max_server_error_retries) after a jittered backoff that fits;
  //   - a kept-alive connection the server closed meanwhile is replaced
  //     transparently (not counted as a retry);
  //   - an untrusted certificate is UNAVAILABLE "TLS handshake failed: ..."
  //     and the request is never sent;
  //   - a 400 about response_format / json_schema to a request with a
  //     response_schema (no structured outputs behind this base_url) is
  //     answered by sending the request once more without it; from then on
  //     no request of this client carries response_format (logged once);
  //     ChatCompletion::structured says which way a reply was asked for;
  //   - other HTTP statuses are INTERNAL, with OpenAI's error message.
  // No status message ever contains the API key. Failures are logged once
  // per burst (options.log_interval), not once per call.
  absl::StatusOr<ChatCompletion> Complete(const ChatRequest& request,
                                          absl::Time deadline) override;

  OpenAiStatsSnapshot stats() const { return stats_.Snapshot(); }
  // False once the server rejected response_format for `model`.
  bool StructuredOutputSupported(const std::string& model) const;

 private:
  OpenAiClient(OpenAiOptions options, BaseUrl base_url,
               std::unique_ptr<boost::asio::ssl::context> ssl_context);

  absl::StatusOr<ChatCompletion> CompleteWithRetries(const ChatRequest& request,
                                                     absl::Time deadline);
  // The request body, with response_format only when `structured`.
  static std::string BodyFor(const ChatRequest& request, bool structured);
  // One HTTP exchange; fills `response` when one arrived.
  openai_internal::TransportStatus Exchange(
      const std::string& body, absl::Time deadline, bool is_retry,
      openai_internal::HttpResponse* response);
  // Sleeps `wait` when that leaves time for another attempt.
  bool WaitIfItFits(absl::Duration wait, absl::Time deadline) const;
  absl::Duration Backoff() const;
  void LogFailure(const absl::Status& status);
  absl::Status WithoutKey(const absl::Status& status) const;

  const OpenAiOptions options_;
  const BaseUrl base_url_;
  const std::string target_;       // path of .../chat/completions
  const std::string host_header_;  // host[:port]
  // Declared before the pool: connections refer to it.
  const std::unique_ptr<boost::asio::ssl::context> ssl_context_;
  const std::unique_ptr<openai_internal::DeadlineResolver> resolver_;
  const std::unique_ptr<openai_internal::ConnectionPool> pool_;
  OpenAiStats stats_;
  LogThrottle log_throttle_;
  // Set for the life of the process once the server rejected
  // response_format.
  // True when it was not marked before.
  bool MarkStructuredOutputUnsupported(const std::string& model);

  mutable absl::Mutex structured_mu_;
  absl::flat_hash_set<std::string> structured_unsupported_
      ABSL_GUARDED_BY(structured_mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_CLIENT_H_
