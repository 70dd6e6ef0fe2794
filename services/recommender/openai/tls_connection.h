// One HTTPS connection (Beast over OpenSSL) to the OpenAI host, used by one
// call at a time. Beast's timeouts need asynchronous operations, so every
// step is asynchronous underneath but runs to completion on the
// connection's own io_context in the calling thread: the call blocks until
// the step is done or its deadline has passed, never longer. Internal to
// the OpenAI client; Beast error codes end here.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_TLS_CONNECTION_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_TLS_CONNECTION_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/core/tcp_stream.hpp"
#include "boost/beast/http/message.hpp"
#include "boost/beast/http/string_body.hpp"
#include "boost/beast/ssl/ssl_stream.hpp"

namespace smartshop::recommender::openai_internal {

using Clock = std::chrono::steady_clock;
using HttpRequest =
    boost::beast::http::request<boost::beast::http::string_body>;

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retry_after;     // Retry-After header, "" when absent
  std::string retry_after_ms;  // OpenAI's retry-after-ms, "" when absent
  bool keep_alive = false;     // the connection may carry another request
};

// The outcome of one step, classified for the client's retry policy.
struct TransportStatus {
  // OK, DEADLINE_EXCEEDED, UNAVAILABLE or DATA_LOSS.
  absl::Status status;
  // A network failure (reset, refused, closed) that a new attempt may not
  // meet; a certificate the client does not trust is not retryable.
  bool retryable = false;
  // Failed before any byte of a reply arrived: on a reused connection this
  // means the server had closed it while idle.
  bool nothing_received = false;

  bool ok() const { return status.ok(); }
};

// Not thread-safe: one call uses it at a time (the pool hands it out).
class TlsConnection {
 public:
  // `ssl_context` (not owned) must outlive this. `host` is used for SNI
  // (unless it is an IP literal) and for certificate name verification.
  TlsConnection(boost::asio::ssl::context& ssl_context, std::string host);
  TlsConnection(const TlsConnection&) = delete;
  TlsConnection& operator=(const TlsConnection&) = delete;

  // TCP connect to the first endpoint that answers, then the TLS handshake
  // with peer and host name verification, both by
  // min(connect_deadline, deadline). A handshake failure is UNAVAILABLE
  // "TLS handshake failed: <reason>"; no request has been sent then.
  TransportStatus Connect(
      const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
      Clock::time_point connect_deadline, Clock::time_point deadline);

  // Writes `request` and reads the whole reply by `deadline`. A reply
  // larger than `max_body_bytes` or not HTTP is DATA_LOSS.
  TransportStatus RoundTrip(const HttpRequest& request, int64_t max_body_bytes,
                            Clock::time_point deadline, HttpResponse* response);

  // TLS close_notify and TCP close, waiting at most `bound` for the peer.
  // For connections retired while healthy; a broken one is just dropped.
  void Shutdown(Clock::duration bound);

  // When the connection last finished a request (for the idle timeout).
  Clock::time_point idle_since() const { return idle_since_; }
  void MarkIdle() { idle_since_ = Clock::now(); }

 private:
  // Starts an operation through `start(handler)` and runs the io_context
  // until its handler ran. `deadline` is only a backstop: the stream's own
  // expiry, set before each step, normally ends the operation first.
  template <typename Start>
  boost::system::error_code Run(Start&& start, Clock::time_point deadline);

  // Order matters: the stream must be destroyed before its io_context.
  boost::asio::io_context ioc_;
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
  // Kept across requests: it may hold bytes read ahead of a reply's end.
  boost::beast::flat_buffer buffer_;
  const std::string host_;
  Clock::time_point idle_since_;
};

}  // namespace smartshop::recommender::openai_internal

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_TLS_CONNECTION_H_
