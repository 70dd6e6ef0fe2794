#include "common/health_monitor.h"

#include "common/json_log.h"

namespace smartshop {

HealthMonitor::HealthMonitor(grpc::HealthCheckServiceInterface* health,
                             std::vector<std::string> services,
                             std::function<absl::Status()> probe,
                             absl::Duration interval)
    : health_(health),
      services_(std::move(services)),
      probe_(std::move(probe)),
      interval_(interval),
      thread_([this] { Loop(); }) {}

HealthMonitor::~HealthMonitor() {
  stop_.Notify();
  thread_.join();
}

void HealthMonitor::Loop() {
  bool first = true;
  bool serving = false;
  do {
    const absl::Status status = probe_();
    if (first || status.ok() != serving) {
      serving = status.ok();
      // Not the overload without a name: that one would also overwrite
      // kLivenessService.
      health_->SetServingStatus("", serving);
      for (const std::string& service : services_) {
        health_->SetServingStatus(service, serving);
      }
      Log(serving ? LogLevel::kInfo : LogLevel::kWarning, "health_changed",
          {{"serving", serving}, {"cause", status.message()}});
    }
    first = false;
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

}  // namespace smartshop
