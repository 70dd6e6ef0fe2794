// The admission rule of a gRPC service, in one place: the method needs the
// scope method_scopes.h gives it, the caller's bearer token must grant that
// scope (caller_auth.h), and the service must be ready. Handlers start with
// `Admit` and then only do their job.
//
// Not a server interceptor: in gRPC 1.51 a server interceptor cannot end a
// call with a status of its own before the handler runs (Hijack is for
// client interceptors only; TryCancel answers CANCELLED and the handler still
// runs), so the policy is one call each handler makes first.
#ifndef SMARTSHOP_COMMON_EDGE_POLICY_H_
#define SMARTSHOP_COMMON_EDGE_POLICY_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/caller_auth.h"

namespace smartshop {

class EdgePolicy {
 public:
  // OK when the service can serve; another status (e.g. UNAVAILABLE while
  // starting) is the answer to every admitted call until then.
  using Readiness = std::function<absl::Status()>;

  // `service` is the full service name, e.g.
  // smartshop::v1::TrackingService::service_full_name(). A null `readiness`
  // means always ready.
  EdgePolicy(absl::string_view service, std::shared_ptr<const CallerAuth> auth,
             Readiness readiness = nullptr);

  // OK to go on with `method` (its name in the service, e.g. "Track") for a
  // caller presenting `authorization` ("Bearer <token>", may be empty).
  // In order: INTERNAL when the table names no scope for the method (fail
  // closed); UNAUTHENTICATED / PERMISSION_DENIED from CallerAuth, the message
  // prefixed "<method>: "; then the readiness status as it is.
  absl::Status Admit(absl::string_view method,
                     absl::string_view authorization) const;

  // The same for a call's "authorization" metadata, as the status a handler
  // returns at once when not OK.
  grpc::Status Admit(const grpc::ServerContextBase& context,
                     absl::string_view method) const;

 private:
  const std::string service_;
  const std::shared_ptr<const CallerAuth> auth_;
  const Readiness readiness_;
};

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_EDGE_POLICY_H_
