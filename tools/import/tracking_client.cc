#include "tools/import/tracking_client.h"

#include <algorithm>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status_util.h"

namespace smartshop::import {
namespace {

using smartshop::v1::EventResult;
using smartshop::v1::Interaction;

constexpr size_t kRejectionsKept = 5;

// "<method> (<what> <first>..<last> of <total>)", for a failed call.
std::string Carrying(absl::string_view method, absl::string_view what,
                     size_t start, size_t count, size_t total) {
  return absl::StrCat(method, " (", what, " ", start + 1, "..", start + count,
                      " of ", total, ")");
}

}  // namespace

grpc::Status RetryWhileUnavailable(const RpcOptions& options, int64_t* retries,
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

absl::StatusOr<CatalogUploaded> PushCatalog(
    smartshop::v1::CatalogService::StubInterface& stub,
    absl::Span<const smartshop::v1::Category> categories,
    absl::Span<const smartshop::v1::Product> products, int per_call,
    const RpcOptions& options, Progress* progress) {
  CatalogUploaded uploaded;
  const size_t step = static_cast<size_t>(per_call);
  for (size_t start = 0; start < categories.size(); start += step) {
    const size_t count = std::min(categories.size() - start, step);
    smartshop::v1::UpsertCategoriesRequest request;
    for (const auto& category : categories.subspan(start, count)) {
      *request.add_categories() = category;
    }
    smartshop::v1::UpsertCategoriesResponse response;
    const grpc::Status status = RetryWhileUnavailable(options, nullptr, [&] {
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.timeout));
      return stub.UpsertCategories(&context, request, &response);
    });
    if (!status.ok()) {
      return FromGrpcStatus(
          status, Carrying("CatalogService.UpsertCategories", "categories",
                           start, count, categories.size()));
    }
    uploaded.categories += response.upserted();
  }
  for (size_t start = 0; start < products.size(); start += step) {
    const size_t count = std::min(products.size() - start, step);
    smartshop::v1::UpsertProductsRequest request;
    for (const auto& product : products.subspan(start, count)) {
      (*request.add_products() = product).clear_category_name();
    }
    smartshop::v1::UpsertProductsResponse response;
    const grpc::Status status = RetryWhileUnavailable(options, nullptr, [&] {
      grpc::ClientContext context;
      context.set_deadline(ClientDeadline(options.timeout));
      return stub.UpsertProducts(&context, request, &response);
    });
    if (!status.ok()) {
      return FromGrpcStatus(
          status, Carrying("CatalogService.UpsertProducts", "products", start,
                           count, products.size()));
    }
    uploaded.products += response.upserted();
    if (progress != nullptr) progress->Update(start + count);
  }
  if (progress != nullptr) progress->Finish();
  return uploaded;
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
    const grpc::Status status = RetryWhileUnavailable(
        options, &totals.retried_calls, [&]() -> grpc::Status {
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
