// The admin HTTP port beside each gRPC server: Prometheus metrics at
// /metrics, liveness at /healthz, readiness at /readyz. It exposes no data
// and no secrets: only metric values and "ok"/"not ready". Extra routes
// (AdminRoute) add pages of their own, e.g. the recommender's dashboard;
// each route does its own authorization.
#ifndef SMARTSHOP_COMMON_ADMIN_HTTP_SERVER_H_
#define SMARTSHOP_COMMON_ADMIN_HTTP_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "prometheus/registry.h"

namespace smartshop {

// What an extra route's handler sees of a GET (or HEAD) request.
struct AdminRequest {
  // The target after '?', undecoded ("range=7d"); empty when none.
  std::string query;
  // The Authorization header as sent; empty when absent.
  std::string authorization;
};

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  // Further headers (e.g. Cache-Control, WWW-Authenticate).
  std::vector<std::pair<std::string, std::string>> headers = {};
};

// An extra page: `path` matches the request's path exactly ("/dashboard").
// Handlers run one at a time on a thread apart from the probes', so a slow
// one never delays /metrics, /healthz or /readyz. They must not throw.
struct AdminRoute {
  std::string path;
  std::function<AdminResponse(const AdminRequest&)> handler;
};

struct AdminHttpOptions {
  // host:port; port 0 picks a free one (see AdminHttpServer::port()).
  std::string listen_address = "127.0.0.1:0";
  // Metrics to serve (shared with the code that updates them).
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  // Called before each scrape, e.g. to refresh gauges read from elsewhere.
  std::function<void()> before_scrape = nullptr;
  // /readyz answers 200 when this is OK, else 503 with its message.
  std::function<absl::Status()> readiness = nullptr;
  // Extra routes; each path starts with '/', is unique, and is none of the
  // three above.
  std::vector<AdminRoute> routes = {};
};

// Serves on a thread of its own, one request at a time (scrapes and probes
// are rare and cheap). Thread-safe to destroy from any thread.
class AdminHttpServer {
 public:
  // UNAVAILABLE when the address cannot be bound, INVALID_ARGUMENT when it
  // is not host:port or a route is invalid (see AdminHttpOptions::routes).
  static absl::StatusOr<std::unique_ptr<AdminHttpServer>> Start(
      AdminHttpOptions options);
  ~AdminHttpServer();  // stops serving and joins the thread

  int port() const { return port_; }

 private:
  class Impl;
  explicit AdminHttpServer(std::unique_ptr<Impl> impl, int port);
  std::unique_ptr<Impl> impl_;
  int port_;
};

// The registry's metrics in the Prometheus text format.
std::string RenderMetrics(prometheus::Registry& registry);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_ADMIN_HTTP_SERVER_H_
