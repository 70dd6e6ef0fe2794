#include "services/tracking/tracking_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "common/proto_time.h"
#include "common/status_util.h"
#include "services/tracking/interaction_validator.h"
#include "services/tracking/page_token.h"
#include "services/tracking/schema_readiness.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::EventResult;

constexpr int kMaxListLimit = 1000;
constexpr int kDefaultListLimit = 100;

void Count(const EventResult& result, int64_t* stored, int64_t* duplicates,
           int64_t* rejected) {
  switch (result.outcome()) {
    case smartshop::v1::STORED:
      ++*stored;
      break;
    case smartshop::v1::DUPLICATE:
      ++*duplicates;
      break;
    default:
      ++*rejected;
  }
}

// Counts the stored events that came with a recommendation_id: kept, or
// stored without it (the result's warning names the field).
void CountAttribution(TrackingMetrics* metrics,
                      absl::Span<const smartshop::v1::Interaction* const> in,
                      absl::Span<const EventResult> results) {
  if (metrics == nullptr) return;
  int64_t kept = 0, dropped = 0;
  for (size_t i = 0; i < in.size() && i < results.size(); ++i) {
    if (in[i]->recommendation_id().empty() ||
        results[i].outcome() != smartshop::v1::STORED) {
      continue;
    }
    ++(results[i].field() == "recommendation_id" ? dropped : kept);
  }
  if (kept > 0 || dropped > 0) metrics->AttributedInteractions(kept, dropped);
}

absl::StatusOr<InteractionQuery> ToQuery(
    const smartshop::v1::ListInteractionsRequest& request) {
  InteractionQuery query;
  if (request.limit() < 0 || request.limit() > kMaxListLimit) {
    return absl::InvalidArgumentError(absl::StrCat("limit: must be 0 (default ",
                                                   kDefaultListLimit, ") to ",
                                                   kMaxListLimit));
  }
  query.limit = request.limit() == 0 ? kDefaultListLimit : request.limit();
  if (!request.user_id().empty() && !request.exclude_user_id().empty()) {
    return absl::InvalidArgumentError(
        "exclude_user_id: cannot be combined with user_id");
  }
  for (const auto& [field, value] :
       {std::pair<absl::string_view, const std::string*>{"user_id",
                                                         &request.user_id()},
        {"exclude_user_id", &request.exclude_user_id()},
        {"session_key", &request.session_key()}}) {
    if (value->size() > kMaxIdBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": longer than ", kMaxIdBytes, " bytes"));
    }
  }
  query.user_id = request.user_id();
  query.exclude_user_id = request.exclude_user_id();
  query.session_key = request.session_key();
  for (int type : request.types()) {
    auto t = static_cast<smartshop::v1::InteractionType>(type);
    if (TypeName(t).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("types: unknown interaction type ", type));
    }
    query.types.push_back(t);
  }
  if (request.has_since()) {
    if (!IsValidTimestamp(request.since())) {
      return absl::InvalidArgumentError("since: out of the valid range");
    }
    query.since = ToTime(request.since());
  }
  if (request.has_until()) {
    if (!IsValidTimestamp(request.until())) {
      return absl::InvalidArgumentError("until: out of the valid range");
    }
    query.until = ToTime(request.until());
  }
  if (!request.page_token().empty()) {
    absl::StatusOr<InteractionCursor> cursor =
        DecodeInteractionToken(request.page_token());
    if (!cursor.ok()) return cursor.status();
    query.after = *cursor;
  }
  return query;
}

}  // namespace

TrackingServiceImpl::TrackingServiceImpl(InteractionStore* store,
                                         const std::atomic<bool>* ready,
                                         const Clock* clock,
                                         TrackingServiceOptions options)
    : signalling_store_(store, &commit_signal_),
      store_(&signalling_store_),
      edge_(smartshop::v1::TrackingService::service_full_name(), options.auth,
            SchemaReadiness(ready)),
      clock_(clock),
      options_(options),
      ingestor_(store_, clock),
      committer_(store_, {.writers = options.group_commit_writers,
                          .max_group = options.max_batch_size,
                          .max_pending = options.max_queued_events,
                          .on_group =
                              [metrics = options.metrics](size_t events) {
                                if (metrics != nullptr)
                                  metrics->Batch("group_commit", events);
                              },
                          .on_refused =
                              [metrics = options.metrics] {
                                if (metrics != nullptr)
                                  metrics->GroupCommitRefused();
                              }}) {}

grpc::ServerUnaryReactor* TrackingServiceImpl::Track(
    grpc::CallbackServerContext* context,
    const smartshop::v1::TrackRequest* request,
    smartshop::v1::TrackResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (grpc::Status denied = edge_.Admit(*context, "Track"); !denied.ok()) {
    reactor->Finish(denied);
    return reactor;
  }
  absl::Status invalid;
  const absl::Time now = clock_->Now();
  if (!request->has_interaction()) {
    invalid = absl::InvalidArgumentError("interaction: required");
  } else if (auto violation = FindViolation(request->interaction(), now)) {
    invalid = ToStatus(*violation);
  }
  if (!invalid.ok()) {
    reactor->Finish(ToGrpcStatus(invalid));
    return reactor;
  }
  smartshop::v1::Interaction event = Normalize(request->interaction(), now);
  response->set_event_id(event.event_id());
  std::optional<FieldViolation> warning =
      FindAttributionProblem(request->interaction());
  const bool carries_recommendation =
      !request->interaction().recommendation_id().empty();
  committer_.SubmitAsync(
      std::move(event), CallDeadline(*context, options_.max_call_time),
      [reactor, response, warning, carries_recommendation,
       metrics = options_.metrics](absl::StatusOr<bool> stored) {
        if (!stored.ok()) {
          reactor->Finish(ToGrpcStatus(stored.status()));
          return;
        }
        response->set_outcome(*stored ? smartshop::v1::STORED
                                      : smartshop::v1::DUPLICATE);
        if (*stored && warning) {
          response->set_field(warning->field);
          response->set_error(warning->description);
        }
        if (metrics != nullptr) {
          metrics->Events(*stored ? 1 : 0, *stored ? 0 : 1, 0);
          if (*stored && carries_recommendation) {
            const bool dropped =
                warning && warning->field == "recommendation_id";
            metrics->AttributedInteractions(dropped ? 0 : 1, dropped ? 1 : 0);
          }
        }
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::Status TrackingServiceImpl::TrackBatch(
    grpc::ServerContext* context,
    const smartshop::v1::TrackBatchRequest* request,
    smartshop::v1::TrackBatchResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "TrackBatch"); !denied.ok()) {
    return denied;
  }
  if (request->interactions_size() > options_.max_batch_size) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("interactions: ", request->interactions_size(),
                     " events is over the limit of ", options_.max_batch_size,
                     " per call; split the batch or use StreamTrack")));
  }
  absl::StatusOr<std::vector<EventResult>> results =
      ingestor_.Ingest(absl::MakeConstSpan(request->interactions().data(),
                                           request->interactions_size()),
                       0, CallDeadline(*context, options_.max_call_time));
  if (!results.ok()) return ToGrpcStatus(results.status());
  CountAttribution(options_.metrics,
                   absl::MakeConstSpan(request->interactions().data(),
                                       request->interactions_size()),
                   *results);
  int64_t stored = 0, duplicates = 0, rejected = 0;
  for (EventResult& result : *results) {
    Count(result, &stored, &duplicates, &rejected);
    *response->add_results() = std::move(result);
  }
  response->set_stored(static_cast<int32_t>(stored));
  response->set_duplicates(static_cast<int32_t>(duplicates));
  response->set_rejected(static_cast<int32_t>(rejected));
  if (options_.metrics != nullptr) {
    options_.metrics->Events(stored, duplicates, rejected);
    options_.metrics->Batch("track_batch", request->interactions_size());
  }
  return grpc::Status::OK;
}

grpc::Status TrackingServiceImpl::StreamTrack(
    grpc::ServerContext* context,
    grpc::ServerReader<smartshop::v1::StreamTrackRequest>* reader,
    smartshop::v1::StreamTrackResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "StreamTrack");
      !denied.ok()) {
    return denied;
  }
  int64_t received = 0, stored = 0, duplicates = 0, rejected = 0;
  // Rejections matter more than duplicates (a re-import is all duplicates):
  // they are listed first when the reply cannot hold every result.
  std::vector<EventResult> rejections, repeats;
  smartshop::v1::StreamTrackRequest chunk;
  while (reader->Read(&chunk)) {
    const auto& events = chunk.interactions();
    for (int start = 0; start < events.size();
         start += options_.max_batch_size) {
      const int count =
          std::min(options_.max_batch_size, events.size() - start);
      // A long stream is bounded per slice, not as a whole, when the caller
      // set no deadline.
      absl::StatusOr<std::vector<EventResult>> results = ingestor_.Ingest(
          absl::MakeConstSpan(events.data() + start, count), received,
          CallDeadline(*context, options_.max_call_time));
      if (!results.ok()) {
        return ToGrpcStatus(absl::Status(
            results.status().code(),
            absl::StrCat(results.status().message(), " (after ", received,
                         " events of this stream were handled; events before "
                         "that are committed, retrying them is safe)")));
      }
      received += count;
      CountAttribution(options_.metrics,
                       absl::MakeConstSpan(events.data() + start, count),
                       *results);
      if (options_.metrics != nullptr) {
        options_.metrics->Batch("stream_slice", count);
      }
      for (EventResult& result : *results) {
        Count(result, &stored, &duplicates, &rejected);
        const auto outcome = result.outcome();
        if (outcome == smartshop::v1::STORED) continue;
        auto& list = outcome == smartshop::v1::REJECTED ? rejections : repeats;
        if (static_cast<int>(list.size()) < options_.max_stream_results) {
          list.push_back(std::move(result));
        }
      }
    }
  }
  if (options_.metrics != nullptr) {
    options_.metrics->Events(stored, duplicates, rejected);
  }
  response->set_received(received);
  response->set_stored(stored);
  response->set_duplicates(duplicates);
  response->set_rejected(rejected);
  const size_t listed_rejections =
      std::min<size_t>(rejections.size(), options_.max_stream_results);
  const size_t listed_repeats = std::min<size_t>(
      repeats.size(), options_.max_stream_results - listed_rejections);
  std::vector<EventResult> listed;
  std::move(rejections.begin(), rejections.begin() + listed_rejections,
            std::back_inserter(listed));
  std::move(repeats.begin(), repeats.begin() + listed_repeats,
            std::back_inserter(listed));
  std::sort(listed.begin(), listed.end(),
            [](const EventResult& a, const EventResult& b) {
              return a.index() < b.index();
            });
  for (EventResult& result : listed)
    *response->add_results() = std::move(result);
  response->set_results_omitted(duplicates + rejected -
                                static_cast<int64_t>(listed.size()));
  return grpc::Status::OK;
}

grpc::Status TrackingServiceImpl::ListInteractions(
    grpc::ServerContext* context,
    const smartshop::v1::ListInteractionsRequest* request,
    smartshop::v1::ListInteractionsResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "ListInteractions");
      !denied.ok()) {
    return denied;
  }
  absl::StatusOr<InteractionQuery> query = ToQuery(*request);
  if (!query.ok()) return ToGrpcStatus(query.status());
  absl::StatusOr<InteractionPage> page =
      (options_.read_store != nullptr ? options_.read_store : store_)
          ->List(*query, CallDeadline(*context, options_.max_call_time));
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (auto& interaction : page->interactions) {
    *response->add_interactions() = std::move(interaction);
  }
  if (page->next) {
    response->set_next_page_token(EncodeInteractionToken(*page->next));
  }
  return grpc::Status::OK;
}

grpc::Status TrackingServiceImpl::DeleteUserData(
    grpc::ServerContext* context,
    const smartshop::v1::DeleteUserDataRequest* request,
    smartshop::v1::DeleteUserDataResponse* response) {
  if (grpc::Status denied = edge_.Admit(*context, "DeleteUserData");
      !denied.ok()) {
    return denied;
  }
  if (request->user_id().empty() || request->user_id().size() > kMaxIdBytes) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        absl::StrCat("user_id: must be 1 to ", kMaxIdBytes, " bytes")));
  }
  absl::StatusOr<int64_t> deleted = store_->DeleteUser(
      request->user_id(), CallDeadline(*context, options_.max_call_time));
  if (!deleted.ok()) return ToGrpcStatus(deleted.status());
  response->set_deleted_interactions(*deleted);
  InsightsErasure erased;
  if (options_.insights != nullptr) {
    absl::StatusOr<InsightsErasure> insights = options_.insights->DeleteUser(
        request->user_id(), CallDeadline(*context, options_.max_call_time));
    // Interactions already gone: a retry deletes the rest (idempotent).
    if (!insights.ok()) return ToGrpcStatus(insights.status());
    erased = *insights;
  }
  response->set_deleted_served_recommendations(erased.served_recommendations);
  response->set_deleted_impressions(erased.impressions);
  // Never the user id: it is personal.
  Log(LogLevel::kInfo, "user_data_deleted",
      {{"interactions", *deleted},
       {"served_recommendations", erased.served_recommendations},
       {"impressions", erased.impressions}});
  return grpc::Status::OK;
}

grpc::Status TrackingServiceImpl::Subscribe(
    grpc::ServerContext* context,
    const smartshop::v1::SubscribeRequest* request,
    grpc::ServerWriter<smartshop::v1::SubscribeResponse>* writer) {
  if (grpc::Status denied = edge_.Admit(*context, "Subscribe"); !denied.ok()) {
    return denied;
  }
  if (absl::Status valid = ValidateSubscribeRequest(*request); !valid.ok()) {
    return ToGrpcStatus(valid);
  }
  if (stopping_) {
    return ToGrpcStatus(
        absl::UnavailableError("server shutting down: resume elsewhere"));
  }
  if (subscriptions_.fetch_add(1) >= options_.max_subscriptions) {
    subscriptions_.fetch_sub(1);
    return ToGrpcStatus(absl::ResourceExhaustedError(
        absl::StrCat("at most ", options_.max_subscriptions,
                     " subscriptions per server; try another replica")));
  }
  grpc::Status status = ServeSubscription(
      *request,
      options_.subscription_store != nullptr ? *options_.subscription_store
                                             : *store_,
      commit_signal_, stopping_, options_.subscription, *context, *writer);
  subscriptions_.fetch_sub(1);
  return status;
}

}  // namespace smartshop::tracking
