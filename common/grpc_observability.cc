#include "common/grpc_observability.h"

#include <grpcpp/server_context.h>

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/json_log.h"

namespace smartshop {
namespace {

using grpc::experimental::InterceptionHookPoints;

// gRPC's own names for status codes, as Prometheus dashboards expect.
const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : "UNKNOWN";
}

// Failures that are the caller's doing are not the service's errors.
bool IsServerError(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return false;
    default:
      return true;
  }
}

class ObservabilityInterceptor : public grpc::experimental::Interceptor {
 public:
  ObservabilityInterceptor(grpc::experimental::ServerRpcInfo* info,
                           prometheus::Family<prometheus::Counter>& handled,
                           prometheus::Family<prometheus::Histogram>& latency,
                           absl::Duration slow_call)
      : info_(info),
        method_(info->method() ? info->method() : "unknown"),
        handled_(handled),
        latency_(latency),
        slow_call_(slow_call),
        start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      const auto& metadata = info_->server_context()->client_metadata();
      auto it = metadata.find(kRequestIdHeader);
      if (it != metadata.end()) {
        // At most 128 bytes of it: it is the caller's text, going into logs.
        request_id_.assign(it->second.data(),
                           std::min<size_t>(it->second.size(), 128));
      }
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Record(const grpc::Status& status) {
    const absl::Duration elapsed = absl::Now() - start_;
    const char* code = CodeName(status.error_code());
    handled_.Add({{"grpc_method", method_}, {"grpc_code", code}}).Increment();
    latency_
        .Add({{"grpc_method", method_}},
             prometheus::Histogram::BucketBoundaries{
                 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                 0.5, 1, 2.5, 5, 10})
        .Observe(absl::ToDoubleSeconds(elapsed));
    const bool failed = IsServerError(status.error_code());
    const bool slow = elapsed > slow_call_;
    if (!failed && !slow) return;
    Log(failed ? LogLevel::kWarning : LogLevel::kInfo,
        failed ? "rpc_failed" : "rpc_slow",
        {{"method", method_},
         {"code", code},
         {"message", status.error_message()},
         {"duration_ms", absl::ToDoubleMilliseconds(elapsed)},
         {"request_id", request_id_}});
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const std::string method_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  const absl::Duration slow_call_;
  const absl::Time start_;
  std::string request_id_;
};

}  // namespace

GrpcObservabilityFactory::GrpcObservabilityFactory(
    prometheus::Registry& registry, absl::Duration slow_call)
    : handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("RPCs completed on the server, by method and code.")
                   .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("grpc_server_handling_seconds")
                   .Help("Time from receiving an RPC to sending its status.")
                   .Register(registry)),
      slow_call_(slow_call) {}

grpc::experimental::Interceptor*
GrpcObservabilityFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new ObservabilityInterceptor(info, handled_, latency_, slow_call_);
}

}  // namespace smartshop
