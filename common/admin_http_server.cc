#include "common/admin_http_server.h"

#include <atomic>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "prometheus/text_serializer.h"

namespace smartshop {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Requests waiting for the route thread beyond this are refused (503):
// dashboards are opened by people, not polled by machines.
constexpr int kMaxQueuedRouteRequests = 8;

bool IsBuiltinPath(absl::string_view path) {
  return path == "/metrics" || path == "/healthz" || path == "/readyz";
}

absl::Status ValidateRoutes(const std::vector<AdminRoute>& routes) {
  std::map<std::string, int> seen;
  for (size_t i = 0; i < routes.size(); ++i) {
    const AdminRoute& route = routes[i];
    const std::string field = absl::StrCat("routes[", i, "]");
    if (route.path.empty() || route.path.front() != '/' ||
        route.path.find('?') != std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".path must start with '/' and hold no '?'"));
    }
    if (IsBuiltinPath(route.path)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".path ", route.path, " is built in"));
    }
    if (!seen.emplace(route.path, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".path ", route.path, " is also routes[",
                       seen[route.path], "]"));
    }
    if (route.handler == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".handler is missing"));
    }
  }
  return absl::OkStatus();
}

http::response<http::string_body> ToHttp(AdminResponse reply,
                                         unsigned version) {
  http::response<http::string_body> response{
      static_cast<http::status>(reply.status), version};
  response.set(http::field::content_type, reply.content_type);
  for (const auto& [name, value] : reply.headers) response.set(name, value);
  response.body() = std::move(reply.body);
  return response;
}

void Write(beast::tcp_stream& stream,
           http::response<http::string_body> response) {
  response.keep_alive(false);
  response.prepare_payload();
  beast::error_code ec;
  http::write(stream, response, ec);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace

std::string RenderMetrics(prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

class AdminHttpServer::Impl {
 public:
  Impl(AdminHttpOptions options, tcp::endpoint endpoint)
      : options_(std::move(options)),
        acceptor_(io_),
        route_work_(asio::make_work_guard(route_io_)) {
    for (const AdminRoute& route : options_.routes) {
      routes_.emplace(route.path, &route.handler);
    }
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
    if (!routes_.empty())
      route_thread_ = std::thread([this] { route_io_.run(); });
  }

  ~Impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
    // A handler under way finishes; queued ones are dropped with their
    // connections (route_io_ goes before io_, which owns the sockets).
    route_io_.stop();
    if (route_thread_.joinable()) route_thread_.join();
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
    if (ServeRoute(stream, request)) return;
    Write(stream, Handle(request));
  }

  // Hands a request for an extra route to the route thread; false when the
  // request is not for one.
  bool ServeRoute(beast::tcp_stream& stream,
                  const http::request<http::string_body>& request) {
    const absl::string_view target(request.target().data(),
                                   request.target().size());
    const size_t question = target.find('?');
    const auto route = routes_.find(std::string(target.substr(0, question)));
    if (route == routes_.end()) return false;
    const unsigned version = request.version();
    if (request.method() != http::verb::get &&
        request.method() != http::verb::head) {
      Write(stream, ToHttp({.status = 405, .body = "only GET\n"}, version));
      return true;
    }
    if (queued_routes_.load() >= kMaxQueuedRouteRequests) {
      Write(stream,
            ToHttp({.status = 503, .body = "busy, try again\n"}, version));
      return true;
    }
    AdminRequest input;
    if (question != absl::string_view::npos) {
      input.query = std::string(target.substr(question + 1));
    }
    const auto authorization = request.find(http::field::authorization);
    if (authorization != request.end()) {
      input.authorization = std::string(authorization->value());
    }
    ++queued_routes_;
    asio::post(route_io_,
               [this, stream = std::move(stream), input = std::move(input),
                version, handler = route->second]() mutable {
                 Write(stream, ToHttp((*handler)(input), version));
                 --queued_routes_;
               });
    return true;
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
  // Points into options_.routes.
  std::map<std::string,
           const std::function<AdminResponse(const AdminRequest&)>*>
      routes_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  // The extra routes' thread: declared after io_, so destroyed before it.
  asio::io_context route_io_;
  asio::executor_work_guard<asio::io_context::executor_type> route_work_;
  std::thread route_thread_;
  std::atomic<int> queued_routes_{0};
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
  if (absl::Status routes = ValidateRoutes(options.routes); !routes.ok()) {
    return routes;
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
