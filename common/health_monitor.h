// Keeps the standard grpc.health.v1 status in step with a probe (e.g. "the
// database answers"), so that load balancers and Kubernetes see the truth.
#ifndef SMARTSHOP_COMMON_HEALTH_MONITOR_H_
#define SMARTSHOP_COMMON_HEALTH_MONITOR_H_

#include <grpcpp/health_check_service_interface.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace smartshop {

class HealthMonitor {
 public:
  // Probes every `interval` on a thread of its own; SERVING for "" and each
  // of `services` while the probe is OK, NOT_SERVING otherwise. `health` is
  // not owned and must outlive this.
  HealthMonitor(grpc::HealthCheckServiceInterface* health,
                std::vector<std::string> services,
                std::function<absl::Status()> probe, absl::Duration interval);
  ~HealthMonitor();  // stops the thread

 private:
  void Loop();

  grpc::HealthCheckServiceInterface* const health_;
  const std::vector<std::string> services_;
  const std::function<absl::Status()> probe_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_HEALTH_MONITOR_H_
