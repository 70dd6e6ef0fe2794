#include "services/tracking/insights_service.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/status_util.h"
#include "services/tracking/insights_validation.h"
#include "services/tracking/schema_readiness.h"

namespace smartshop::tracking {

using smartshop::v1::EventResult;
using smartshop::v1::Impression;

InsightsServiceImpl::InsightsServiceImpl(InsightsStore* store,
                                         InsightsReader* reader,
                                         const std::atomic<bool>* ready,
                                         const Clock* clock,
                                         InsightsServiceOptions options)
    : store_(store),
      reader_(reader),
      edge_(smartshop::v1::InsightsService::service_full_name(), options.auth,
            SchemaReadiness(ready)),
      clock_(clock),
      options_(std::move(options)) {}

grpc::Status InsightsServiceImpl::RecordServed(
    grpc::ServerContext* context,
    const smartshop::v1::RecordServedRequest* request,
    smartshop::v1::RecordServedResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "RecordServed");
      !denied.ok()) {
    return denied;
  }
  absl::StatusOr<std::vector<smartshop::v1::ServedRecommendation>> served =
      ValidateServed(*request, clock_->Now());
  if (!served.ok()) return ToGrpcStatus(served.status());
  absl::StatusOr<int64_t> stored = store_->RecordServed(
      *served, CallDeadline(*context, options_.max_call_time));
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  response->set_stored(static_cast<int32_t>(*stored));
  if (options_.metrics != nullptr) {
    options_.metrics->ServedRecorded(
        *stored, static_cast<int64_t>(served->size()) - *stored);
  }
  return grpc::Status::OK;
}

grpc::Status InsightsServiceImpl::TrackImpressions(
    grpc::ServerContext* context,
    const smartshop::v1::TrackImpressionsRequest* request,
    smartshop::v1::TrackImpressionsResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "TrackImpressions");
      !denied.ok()) {
    return denied;
  }
  if (request->impressions_size() > kMaxImpressionsPerCall) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("impressions: ", request->impressions_size(),
                     " impressions is over the limit of ",
                     kMaxImpressionsPerCall, " per call; split the batch")));
  }
  // Each impression judged alone, as TrackBatch judges events.
  const absl::Time now = clock_->Now();
  std::vector<EventResult> results(request->impressions_size());
  std::vector<Impression> to_store;
  std::vector<size_t> positions;
  absl::flat_hash_set<std::string> seen_ids;
  for (int i = 0; i < request->impressions_size(); ++i) {
    const Impression& in = request->impressions(i);
    EventResult& result = results[i];
    result.set_index(i);
    if (auto violation = FindImpressionViolation(in, now)) {
      result.set_event_id(in.event_id());
      result.set_outcome(smartshop::v1::REJECTED);
      result.set_field(violation->field);
      result.set_error(violation->description);
      continue;
    }
    Impression impression = NormalizeImpression(in, now);
    result.set_event_id(impression.event_id());
    if (!seen_ids.insert(impression.event_id()).second) {
      result.set_outcome(smartshop::v1::DUPLICATE);
      continue;
    }
    positions.push_back(i);
    to_store.push_back(std::move(impression));
  }
  absl::StatusOr<std::vector<ImpressionOutcome>> outcomes =
      store_->InsertImpressions(to_store,
                                CallDeadline(*context, options_.max_call_time));
  if (!outcomes.ok()) return ToGrpcStatus(outcomes.status());
  int32_t unknown = 0;
  for (size_t k = 0; k < positions.size(); ++k) {
    const ImpressionOutcome& outcome = (*outcomes)[k];
    results[positions[k]].set_outcome(
        outcome.stored ? smartshop::v1::STORED : smartshop::v1::DUPLICATE);
    if (outcome.stored && !outcome.known_recommendation) ++unknown;
  }
  int32_t stored = 0, duplicates = 0, rejected = 0;
  for (EventResult& result : results) {
    switch (result.outcome()) {
      case smartshop::v1::STORED:
        ++stored;
        break;
      case smartshop::v1::DUPLICATE:
        ++duplicates;
        break;
      default:
        ++rejected;
    }
    *response->add_results() = std::move(result);
  }
  response->set_stored(stored);
  response->set_duplicates(duplicates);
  response->set_rejected(rejected);
  response->set_unknown_recommendation_ids(unknown);
  if (options_.metrics != nullptr) {
    options_.metrics->Impressions(stored, duplicates, rejected);
    options_.metrics->UnknownImpressionRecommendations(unknown);
  }
  return grpc::Status::OK;
}

grpc::Status InsightsServiceImpl::GetInsights(
    grpc::ServerContext* context,
    const smartshop::v1::GetInsightsRequest* request,
    smartshop::v1::GetInsightsResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "GetInsights");
      !denied.ok()) {
    return denied;
  }
  absl::StatusOr<InsightsQuery> query = ToInsightsQuery(*request);
  if (!query.ok()) return ToGrpcStatus(query.status());
  if (reader_ == nullptr) {
    return ToGrpcStatus(
        absl::UnimplementedError("GetInsights: not available on this server"));
  }
  absl::StatusOr<smartshop::v1::GetInsightsResponse> read =
      reader_->Read(*query, CallDeadline(*context, options_.max_call_time));
  if (!read.ok()) return ToGrpcStatus(read.status());
  *response = std::move(*read);
  return grpc::Status::OK;
}

}  // namespace smartshop::tracking
