// Conversions at the gRPC boundary: absl::Status to grpc::Status and back
// (the only two places where one becomes the other), and the deadlines of
// server-side and client-side calls.
#ifndef SMARTSHOP_COMMON_STATUS_UTIL_H_
#define SMARTSHOP_COMMON_STATUS_UTIL_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop {

// The one place where absl::Status becomes grpc::Status (the codes share
// their numeric values by design).
grpc::Status ToGrpcStatus(const absl::Status& status);

// The one place where a call's grpc::Status becomes absl::Status. A non-empty
// `what` (the call, e.g. "tracking ListInteractions") prefixes the message as
// "<what>: <message>" so that errors say where they came from.
absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view what = {});

// The caller's deadline, capped at now + `max_wait` so that work for callers
// that set no deadline is bounded too.
absl::Time CallDeadline(const grpc::ServerContextBase& context,
                        absl::Duration max_wait);

// Deadline for a client call: now + `timeout`.
std::chrono::system_clock::time_point ClientDeadline(absl::Duration timeout);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_STATUS_UTIL_H_
