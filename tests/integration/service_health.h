// The standard gRPC health service of a ServiceProcess (or any server on a
// loopback port), as load balancers and kubelet probes ask it.
#ifndef SMARTSHOP_TESTS_INTEGRATION_SERVICE_HEALTH_H_
#define SMARTSHOP_TESTS_INTEGRATION_SERVICE_HEALTH_H_

#include <string>

#include "absl/time/time.h"
#include "grpc/health/v1/health.pb.h"

namespace smartshop::testing {

using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

// Health.Check of `service` on 127.0.0.1:`port` (plaintext, no token),
// with a 2 s deadline; UNKNOWN when the call fails.
ServingStatus Health(int port, const std::string& service);

// Whether Health(port, service) reports `want` within `timeout`.
bool WaitForHealth(int port, const std::string& service, ServingStatus want,
                   absl::Duration timeout = absl::Seconds(30));

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_SERVICE_HEALTH_H_
