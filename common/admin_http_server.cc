#include "common/admin_http_server.h"

#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "prometheus/text_serializer.h"

namespace smartshop {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

}  // namespace

std::string RenderMetrics(prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

class AdminHttpServer::Impl {
 public:
  Impl(AdminHttpOptions options, tcp::endpoint endpoint)
      : options_(std::move(options)), acceptor_(io_) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
  }

  int port() const { return acceptor_.local_endpoint().port(); }

  void Run() {
    thread_ = std::thread([this] {
      Accept();
      io_.run();
    });
  }

  ~Impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // acceptor closed: shutting down
      Serve(std::move(socket));
      Accept();
    });
  }

  // One request per connection, answered in place: a slow client can hold
  // the port for at most the socket timeouts below.
  void Serve(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    stream.expires_after(std::chrono::seconds(5));
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code ec;
    http::read(stream, buffer, request, ec);
    if (ec) return;
    http::response<http::string_body> response = Handle(request);
    response.keep_alive(false);
    response.prepare_payload();
    http::write(stream, response, ec);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  http::response<http::string_body> Handle(
      const http::request<http::string_body>& request) {
    http::response<http::string_body> response{http::status::ok,
                                               request.version()};
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    if (request.method() != http::verb::get &&
        request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.body() = "only GET\n";
    } else if (path == "/metrics") {
      if (options_.before_scrape) options_.before_scrape();
      response.set(http::field::content_type,
                   "text/plain; version=0.0.4; charset=utf-8");
      response.body() = RenderMetrics(*options_.registry);
    } else if (path == "/healthz") {
      response.body() = "ok\n";
    } else if (path == "/readyz") {
      absl::Status ready =
          options_.readiness ? options_.readiness() : absl::OkStatus();
      if (ready.ok()) {
        response.body() = "ok\n";
      } else {
        response.result(http::status::service_unavailable);
        response.body() = absl::StrCat("not ready: ", ready.message(), "\n");
      }
    } else {
      response.result(http::status::not_found);
      response.body() = "not found: try /metrics, /healthz or /readyz\n";
    }
    return response;
  }

  AdminHttpOptions options_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<AdminHttpServer>> AdminHttpServer::Start(
    AdminHttpOptions options) {
  const std::string address = options.listen_address;  // options moves
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("admin address ", address, " is not host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[')
    host = host.substr(1, host.size() - 2);
  beast::error_code ec;
  const auto ip = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("admin address ", address, ": host must be an IP"));
  }
  if (options.registry == nullptr) {
    options.registry = std::make_shared<prometheus::Registry>();
  }
  try {
    auto impl =
        std::make_unique<Impl>(std::move(options), tcp::endpoint(ip, port));
    const int bound = impl->port();
    impl->Run();
    return std::unique_ptr<AdminHttpServer>(
        new AdminHttpServer(std::move(impl), bound));
  } catch (const boost::system::system_error& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, ": ", e.what()));
  }
}

AdminHttpServer::AdminHttpServer(std::unique_ptr<Impl> impl, int port)
    : impl_(std::move(impl)), port_(port) {}

AdminHttpServer::~AdminHttpServer() = default;

}  // namespace smartshop
