// Pushes the import to the tracking service over gRPC: the catalog through
// CatalogService upserts, the events through TrackingService.StreamTrack.
// Every call has a deadline, and calls are retried while the service answers
// UNAVAILABLE (e.g. still migrating), which is safe because upserts replace
// by id and events are idempotent by event_id.
#ifndef SMARTSHOP_TOOLS_IMPORT_TRACKING_CLIENT_H_
#define SMARTSHOP_TOOLS_IMPORT_TRACKING_CLIENT_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/import/progress.h"

namespace smartshop::import {

struct RpcOptions {
  absl::Duration timeout = absl::Seconds(60);  // deadline of each call
  int attempts = 4;                            // per call, while UNAVAILABLE
  absl::Duration first_backoff = absl::Milliseconds(500);  // then doubled
};

// Runs `call` until it returns anything but UNAVAILABLE, or
// `options.attempts` are used up, sleeping first_backoff, then twice as
// long, in between; counts the repeats in `*retries` (may be null). Only for
// idempotent calls (upserts by id, events with ids). `call` must make a
// fresh ClientContext (and so deadline) each time.
grpc::Status RetryWhileUnavailable(const RpcOptions& options, int64_t* retries,
                                   const std::function<grpc::Status()>& call);

struct CatalogUploaded {
  int64_t categories = 0;  // as the service counts them
  int64_t products = 0;
};

// Upserts `categories`, then `products`, each in calls of at most
// `per_call`; category_name is not sent (names come from the categories).
// Stops at the first failed call, with a status naming the call and the
// entries it carried (those before are stored). `progress` (may be null)
// counts products.
absl::StatusOr<CatalogUploaded> PushCatalog(
    smartshop::v1::CatalogService::StubInterface& stub,
    absl::Span<const smartshop::v1::Category> categories,
    absl::Span<const smartshop::v1::Product> products, int per_call,
    const RpcOptions& options, Progress* progress);

struct StreamTotals {
  int64_t calls = 0;
  int64_t retried_calls = 0;  // their events stored before the failure
                              // count as duplicates
  int64_t received = 0;
  int64_t stored = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  // Non-stored results the service left out of its replies.
  int64_t results_omitted = 0;
  // The first REJECTED results, with index = position in the events given.
  std::vector<smartshop::v1::EventResult> rejections;
};

// Sends `events` in StreamTrack messages of `per_message` events, starting
// a new call every `per_call` events so that each call's deadline stays
// meaningful however large the import.
absl::StatusOr<StreamTotals> StreamEvents(
    smartshop::v1::TrackingService::StubInterface& stub,
    absl::Span<const smartshop::v1::Interaction> events, int per_message,
    int per_call, const RpcOptions& options, Progress* progress);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_TRACKING_CLIENT_H_
