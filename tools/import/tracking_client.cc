#include "tools/import/tracking_client.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status_util.h"

namespace smartshop::import {
namespace {

using smartshop::v1::EventResult;
using smartshop::v1::Interaction;

constexpr size_t kRejectionsKept = 5;

// Runs `call` until it returns anything but UNAVAILABLE or the attempts are
// used up. `call` makes a fresh ClientContext (and so deadline) each time.
grpc::Status WithRetries(const RpcOptions& options, int64_t* retries,
                         const std::function<grpc::Status()>& call) {
  absl::Duration backoff = options.first_backoff;
  for (int attempt = 1;; ++attempt) {
    grpc::Status status = call();
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE ||
        attempt >= options.attempts) {
      return status;
    }
    if (retries != nullptr) ++*retries;
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
    backoff *= 2;
  }
}

}  // namespace

absl::StatusOr<int64_t> PushCatalog(
    smartshop::v1::CatalogService::StubInterface& stub,
    absl::Span<const smartshop::v1::Category> categories,
    absl::Span<const smartshop::v1::Product> products, int per_call,
    const RpcOptions& options, Progress* progress) {
  grpc::Status status;
  for (size_t start = 0; start < categories.size(); start += per_call) {
    const size_t count =
        std::min(categories.size() - start, static_cast<size_t>(per_call));
    smartshop::v1::UpsertCategoriesRequest request;
    for (const auto& category : categories.subspan(start, count)) {
      *request.add_categories() = category;
    }
    smartshop::v1::UpsertCategoriesResponse response;
    status = WithRetries(options, nullptr, [&] {
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.timeout));
      return stub.UpsertCategories(&context, request, &response);
    });
    if (!status.ok()) {
      return FromGrpcStatus(status, "CatalogService.UpsertCategories");
    }
  }

  int64_t upserted = 0;
  for (size_t start = 0; start < products.size(); start += per_call) {
    const size_t count =
        std::min(products.size() - start, static_cast<size_t>(per_call));
    smartshop::v1::UpsertProductsRequest request;
    for (const auto& product : products.subspan(start, count)) {
      *request.add_products() = product;
    }
    smartshop::v1::UpsertProductsResponse response;
    status = WithRetries(options, nullptr, [&] {
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.timeout));
      return stub.UpsertProducts(&context, request, &response);
    });
    if (!status.ok()) {
      return FromGrpcStatus(
          status,
          absl::StrCat("CatalogService.UpsertProducts (products ", start + 1,
                       "..", start + count, " of ", products.size(), ")"));
    }
    upserted += response.upserted();
    if (progress != nullptr) progress->Update(start + count);
  }
  if (progress != nullptr) progress->Finish();
  return upserted;
}

absl::StatusOr<StreamTotals> StreamEvents(
    smartshop::v1::TrackingService::StubInterface& stub,
    absl::Span<const Interaction> events, int per_message, int per_call,
    const RpcOptions& options, Progress* progress) {
  StreamTotals totals;
  for (size_t call_start = 0; call_start < events.size();
       call_start += per_call) {
    const absl::Span<const Interaction> slice = events.subspan(
        call_start,
        std::min(events.size() - call_start, static_cast<size_t>(per_call)));
    smartshop::v1::StreamTrackResponse response;
    const grpc::Status status =
        WithRetries(options, &totals.retried_calls, [&]() -> grpc::Status {
          grpc::ClientContext context;
          context.set_deadline(ClientDeadline(options.timeout));
          response.Clear();
          std::unique_ptr<
              grpc::ClientWriterInterface<smartshop::v1::StreamTrackRequest>>
              writer = stub.StreamTrack(&context, &response);
          for (size_t start = 0; start < slice.size(); start += per_message) {
            const size_t count = std::min(slice.size() - start,
                                          static_cast<size_t>(per_message));
            smartshop::v1::StreamTrackRequest chunk;
            for (const Interaction& event : slice.subspan(start, count)) {
              *chunk.add_interactions() = event;
            }
            // false = the stream is broken; Finish says why.
            if (!writer->Write(chunk)) break;
            if (progress != nullptr) {
              progress->Update(call_start + start + count);
            }
          }
          writer->WritesDone();
          return writer->Finish();
        });
    ++totals.calls;
    if (!status.ok()) {
      return FromGrpcStatus(
          status,
          absl::StrCat("TrackingService.StreamTrack (events ", call_start + 1,
                       "..", call_start + slice.size(), " of ", events.size(),
                       "; the ", call_start, " before are committed)"));
    }
    totals.received += response.received();
    totals.stored += response.stored();
    totals.duplicates += response.duplicates();
    totals.rejected += response.rejected();
    totals.results_omitted += response.results_omitted();
    for (EventResult& result : *response.mutable_results()) {
      if (result.outcome() != smartshop::v1::REJECTED ||
          totals.rejections.size() >= kRejectionsKept) {
        continue;
      }
      result.set_index(result.index() + static_cast<int64_t>(call_start));
      totals.rejections.push_back(std::move(result));
    }
  }
  if (progress != nullptr) progress->Finish();
  return totals;
}

}  // namespace smartshop::import
