// Server-side gRPC observability, installed on every server by
// StartGrpcServer: request counts and latency histograms by method and
// status code, and one JSON log line per failed or slow call carrying the
// method and the caller's x-request-id.
#ifndef SMARTSHOP_COMMON_GRPC_OBSERVABILITY_H_
#define SMARTSHOP_COMMON_GRPC_OBSERVABILITY_H_

#include <grpcpp/support/server_interceptor.h>

#include <memory>

#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace smartshop {

// Metadata key a caller may set to correlate our log lines with theirs.
inline constexpr char kRequestIdHeader[] = "x-request-id";

class GrpcObservabilityFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // Registers grpc_server_handled_total and grpc_server_handling_seconds in
  // `registry`. Calls slower than `slow_call` are logged.
  GrpcObservabilityFactory(prometheus::Registry& registry,
                           absl::Duration slow_call);

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  const absl::Duration slow_call_;
};

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_GRPC_OBSERVABILITY_H_
