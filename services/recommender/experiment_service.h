// gRPC ExperimentService: the experiments file's experiments and their
// reports, behind the same edge policy as the recommender's own methods.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENT_SERVICE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENT_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/clock.h"
#include "common/edge_policy.h"
#include "services/recommender/experiments/experiment_config.h"
#include "services/recommender/insights_client.h"
#include "smartshop/v1/experiments.grpc.pb.h"

namespace smartshop::recommender {

class ExperimentServiceImpl final
    : public smartshop::v1::ExperimentService::Service {
 public:
  // Pointers are not owned and must outlive the service; `experiments`
  // may hold none. Calls without a deadline get `max_call_time`.
  ExperimentServiceImpl(
      std::shared_ptr<const experiments::ExperimentSet> experiments,
      InsightsClient* insights, absl::Duration max_call_time,
      std::shared_ptr<const CallerAuth> auth = CallerAuth::DenyAll(),
      const Clock& clock = Clock::Real());

  grpc::Status ListExperiments(
      grpc::ServerContext* context,
      const smartshop::v1::ListExperimentsRequest* request,
      smartshop::v1::ListExperimentsResponse* response) override;
  grpc::Status GetExperimentReport(
      grpc::ServerContext* context,
      const smartshop::v1::GetExperimentReportRequest* request,
      smartshop::v1::ExperimentReport* response) override;

 private:
  const std::shared_ptr<const experiments::ExperimentSet> experiments_;
  InsightsClient* const insights_;
  const absl::Duration max_call_time_;
  const EdgePolicy edge_;
  const Clock& clock_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENT_SERVICE_H_
