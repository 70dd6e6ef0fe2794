// gRPC server bootstrap shared by both services: sync API with a bounded
// thread pool, reflection and the standard health service on, message size
// limits, and a drain on SIGTERM.
#ifndef SMARTSHOP_COMMON_GRPC_SERVER_H_
#define SMARTSHOP_COMMON_GRPC_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/tls_files.h"
#include "prometheus/registry.h"

namespace smartshop {

struct GrpcServerOptions {
  // host:port; port 0 picks a free one (see StartedServer::port).
  std::string listen_address = "127.0.0.1:0";
  // Threads serving calls; beyond this, calls get RESOURCE_EXHAUSTED instead
  // of queueing without bound.
  int max_threads = 64;
  // Largest request or reply accepted, in bytes.
  int max_message_bytes = 4 << 20;
  // When set, request counts and latencies go here (grpc_observability.h).
  std::shared_ptr<prometheus::Registry> registry = nullptr;
  // Calls slower than this are logged.
  absl::Duration slow_call = absl::Seconds(1);
  // Plaintext unless set (see tls_files.h).
  ServerTlsFiles tls = {};
};

// A grpc.health.v1 service name that is SERVING for as long as the server
// runs (until the drain): for liveness probes, which must not fail while a
// dependency is away (the services reconnect by themselves; a restart would
// not help). Readiness uses the real service names instead.
inline constexpr char kLivenessService[] = "smartshop.liveness";

struct StartedServer {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

// Builds and starts a server with `services` (not owned; must outlive it).
// UNAVAILABLE when the address cannot be bound.
absl::StatusOr<StartedServer> StartGrpcServer(
    const GrpcServerOptions& options,
    const std::vector<grpc::Service*>& services);

// REQUIRES: called in main before any thread starts, so that every thread
// inherits the mask and SIGTERM/SIGINT reach only WaitForTerminationSignal.
void BlockTerminationSignals();

// Blocks until SIGTERM or SIGINT; returns the signal number.
int WaitForTerminationSignal();

// Marks every service NOT_SERVING (so load balancers stop sending), then
// lets in-flight calls finish for up to `drain_timeout` before cancelling.
void DrainAndStop(grpc::Server& server, absl::Duration drain_timeout);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_GRPC_SERVER_H_
