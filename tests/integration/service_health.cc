#include "tests/integration/service_health.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/testing/eventually.h"

namespace smartshop::testing {

ServingStatus Health(int port, const std::string& service) {
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
  const grpc::Status status = stub->Check(&context, request, &response);
  return status.ok() ? response.status()
                     : grpc::health::v1::HealthCheckResponse::UNKNOWN;
}

bool WaitForHealth(int port, const std::string& service, ServingStatus want,
                   absl::Duration timeout) {
  return Eventually([&] { return Health(port, service) == want; }, timeout);
}

}  // namespace smartshop::testing
