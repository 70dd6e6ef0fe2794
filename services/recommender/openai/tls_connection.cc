#include "services/recommender/openai/tls_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/ssl/error.hpp"
#include "boost/asio/ssl/host_name_verification.hpp"
#include "boost/beast/core/error.hpp"
#include "boost/beast/http/error.hpp"
#include "boost/beast/http/parser.hpp"
#include "boost/beast/http/read.hpp"
#include "boost/beast/http/write.hpp"

namespace smartshop::recommender::openai_internal {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;

// How far past its deadline Run() lets an operation go before closing the
// socket itself. Only reached if a step had no stream expiry (a bug).
constexpr Clock::duration kBackstopSlack = std::chrono::milliseconds(50);

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

// ssl::host_name_verification, plus a verify error that names the
// mismatch, so that the handshake failure says why instead of a bare
// "certificate verify failed".
class VerifyHostName {
 public:
  explicit VerifyHostName(const std::string& host)
      : check_(host), is_ip_(IsIpLiteral(host)) {}

  bool operator()(bool preverified, ssl::verify_context& ctx) const {
    if (check_(preverified, ctx)) return true;
    if (preverified) {
      X509_STORE_CTX_set_error(ctx.native_handle(),
                               is_ip_ ? X509_V_ERR_IP_ADDRESS_MISMATCH
                                      : X509_V_ERR_HOSTNAME_MISMATCH);
    }
    return false;
  }

 private:
  ssl::host_name_verification check_;
  bool is_ip_;
};

TransportStatus Fail(absl::Status status, bool retryable,
                     bool nothing_received = false) {
  return {std::move(status), retryable, nothing_received};
}

}  // namespace

TlsConnection::TlsConnection(ssl::context& ssl_context, std::string host)
    : stream_(ioc_, ssl_context), host_(std::move(host)) {}

template <typename Start>
boost::system::error_code TlsConnection::Run(Start&& start,
                                             Clock::time_point deadline) {
  boost::system::error_code result;
  bool done = false;
  start([&](boost::system::error_code ec, auto&&...) {
    result = ec;
    done = true;
  });
  ioc_.restart();
  while (!done) {
    if (ioc_.run_one_until(deadline + kBackstopSlack) == 0 && !done) {
      // Closing aborts the pending operation, whose handler then runs.
      beast::get_lowest_layer(stream_).close();
      ioc_.restart();
      ioc_.run();
      if (done) result = beast::error::timeout;
      break;
    }
  }
  // Completing an operation cancels the stream's timer; let that handler
  // run now rather than during the next step.
  ioc_.poll();
  return done ? result : beast::error::timeout;
}

TransportStatus TlsConnection::Connect(
    const std::vector<net::ip::tcp::endpoint>& endpoints,
    Clock::time_point connect_deadline, Clock::time_point deadline) {
  const bool connect_bound_first = connect_deadline < deadline;
  const Clock::time_point step_deadline =
      connect_bound_first ? connect_deadline : deadline;
  auto timed_out = [&](absl::string_view step) {
    return connect_bound_first
               ? Fail(absl::UnavailableError(absl::StrCat(
                          step, " to ", host_, " timed out (connect_timeout)")),
                      /*retryable=*/true)
               : Fail(absl::DeadlineExceededError(
                          absl::StrCat("deadline exceeded during ", step)),
                      /*retryable=*/false);
  };

  // SNI: servers behind a shared front (OpenAI's CDN) pick the certificate
  // by it. RFC 6066 does not allow IP literals there.
  if (!IsIpLiteral(host_) &&
      !SSL_set_tlsext_host_name(stream_.native_handle(), host_.c_str())) {
    return Fail(absl::UnavailableError("TLS handshake failed: cannot set SNI"),
                /*retryable=*/false);
  }
  stream_.set_verify_mode(ssl::verify_peer);
  stream_.set_verify_callback(VerifyHostName(host_));

  beast::tcp_stream& tcp = beast::get_lowest_layer(stream_);
  tcp.expires_at(step_deadline);
  boost::system::error_code ec = Run(
      [&](auto handler) { tcp.async_connect(endpoints, std::move(handler)); },
      step_deadline);
  if (ec == beast::error::timeout) return timed_out("TCP connect");
  if (ec) {
    return Fail(absl::UnavailableError(absl::StrCat("cannot connect to ", host_,
                                                    ": ", ec.message())),
                /*retryable=*/true);
  }

  tcp.expires_at(step_deadline);
  ec = Run(
      [&](auto handler) {
        stream_.async_handshake(ssl::stream_base::client, std::move(handler));
      },
      step_deadline);
  if (ec == beast::error::timeout) return timed_out("TLS handshake");
  if (ec) {
    std::string reason = ec.message();
    const long verify = SSL_get_verify_result(stream_.native_handle());
    if (verify != X509_V_OK) {
      absl::StrAppend(&reason, ": ", X509_verify_cert_error_string(verify));
    }
    // Only a network failure during the handshake may go away on a retry;
    // a certificate the client does not trust will not.
    const bool tls_error = ec.category() == net::error::get_ssl_category();
    return Fail(
        absl::UnavailableError(absl::StrCat("TLS handshake failed: ", reason)),
        /*retryable=*/!tls_error);
  }
  return {};
}

TransportStatus TlsConnection::RoundTrip(const HttpRequest& request,
                                         int64_t max_body_bytes,
                                         Clock::time_point deadline,
                                         HttpResponse* response) {
  beast::tcp_stream& tcp = beast::get_lowest_layer(stream_);
  tcp.expires_at(deadline);
  boost::system::error_code ec = Run(
      [&](auto handler) {
        http::async_write(stream_, request, std::move(handler));
      },
      deadline);
  if (ec == beast::error::timeout) {
    return Fail(absl::DeadlineExceededError(
                    "deadline exceeded while sending the request"),
                /*retryable=*/false);
  }
  if (ec) {
    return Fail(absl::UnavailableError(
                    absl::StrCat("sending the request failed: ", ec.message())),
                /*retryable=*/true, /*nothing_received=*/true);
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(static_cast<uint64_t>(max_body_bytes));
  parser.header_limit(64 * 1024);
  tcp.expires_at(deadline);
  ec = Run(
      [&](auto handler) {
        http::async_read(stream_, buffer_, parser, std::move(handler));
      },
      deadline);
  if (ec == beast::error::timeout) {
    return Fail(
        absl::DeadlineExceededError("deadline exceeded waiting for the reply"),
        /*retryable=*/false);
  }
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    return Fail(absl::DataLossError(absl::StrCat("reply larger than ",
                                                 max_body_bytes, " bytes")),
                /*retryable=*/false);
  }
  if (ec &&
      ec.category() ==
          http::make_error_code(http::error::end_of_stream).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return Fail(
        absl::DataLossError(absl::StrCat("reply is not HTTP: ", ec.message())),
        /*retryable=*/false);
  }
  if (ec) {
    // The server closed or reset the connection (or TLS broke) before the
    // reply was complete.
    return Fail(absl::UnavailableError(absl::StrCat(
                    "connection lost before the reply: ", ec.message())),
                /*retryable=*/true, /*nothing_received=*/!parser.got_some());
  }

  const auto& message = parser.get();
  response->status = static_cast<int>(message.result_int());
  response->body = message.body();
  auto header = [&](auto name) {
    const auto value = message[name];
    return std::string(value.data(), value.size());
  };
  response->retry_after = header(http::field::retry_after);
  response->retry_after_ms = header("retry-after-ms");
  // Bytes beyond the reply would be an answer to nothing: do not reuse.
  response->keep_alive = message.keep_alive() && buffer_.size() == 0;
  return {};
}

void TlsConnection::Shutdown(Clock::duration bound) {
  beast::tcp_stream& tcp = beast::get_lowest_layer(stream_);
  const Clock::time_point deadline = Clock::now() + bound;
  tcp.expires_at(deadline);
  boost::system::error_code ec =
      Run([&](auto handler) { stream_.async_shutdown(std::move(handler)); },
          deadline);
  // Errors are ignored: the connection is going away either way. In
  // particular ssl::error::stream_truncated is expected and harmless: many
  // servers close TCP without answering our close_notify. Truncation only
  // matters for data whose end the protocol does not mark, and every HTTP
  // reply we used was delimited by Content-Length or chunking.
  (void)ec;
  tcp.close();
}

}  // namespace smartshop::recommender::openai_internal
