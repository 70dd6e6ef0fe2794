#include "services/recommender/experiment_service.h"

#include "common/status_util.h"
#include "services/recommender/experiment_report.h"

namespace smartshop::recommender {

ExperimentServiceImpl::ExperimentServiceImpl(
    std::shared_ptr<const experiments::ExperimentSet> experiments,
    InsightsClient* insights, absl::Duration max_call_time,
    std::shared_ptr<const CallerAuth> auth, const Clock& clock)
    : experiments_(experiments != nullptr
                       ? std::move(experiments)
                       : std::make_shared<experiments::ExperimentSet>()),
      insights_(insights),
      max_call_time_(max_call_time),
      edge_(smartshop::v1::ExperimentService::service_full_name(),
            std::move(auth)),
      clock_(clock) {}

grpc::Status ExperimentServiceImpl::ListExperiments(
    grpc::ServerContext* context, const smartshop::v1::ListExperimentsRequest*,
    smartshop::v1::ListExperimentsResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "ListExperiments");
      !denied.ok()) {
    return denied;
  }
  *response->mutable_experiments() = experiments_->config().experiments();
  return grpc::Status::OK;
}

grpc::Status ExperimentServiceImpl::GetExperimentReport(
    grpc::ServerContext* context,
    const smartshop::v1::GetExperimentReportRequest* request,
    smartshop::v1::ExperimentReport* response) {
  if (grpc::Status denied = edge_.Admit(*context, "GetExperimentReport");
      !denied.ok()) {
    return denied;
  }
  absl::StatusOr<smartshop::v1::ExperimentReport> report =
      ReportExperiment(*experiments_, *insights_, *request, clock_.Now(),
                       CallDeadline(*context, max_call_time_));
  if (!report.ok()) return ToGrpcStatus(report.status());
  *response = *std::move(report);
  return grpc::Status::OK;
}

}  // namespace smartshop::recommender
