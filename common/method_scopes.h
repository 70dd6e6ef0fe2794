// Which scope (caller_auth.h) each method of the smartshop.v1 services needs:
// the one method → scope table of the gRPC edge (edge_policy.h). A method
// missing here is refused, and method_scopes_test.cc fails, so a new RPC
// cannot go out without a decision on who may call it.
#ifndef SMARTSHOP_COMMON_METHOD_SCOPES_H_
#define SMARTSHOP_COMMON_METHOD_SCOPES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/caller_auth.h"

namespace smartshop {

// The scope `method` of `service` needs ("smartshop.v1.TrackingService",
// "Track"); nullopt when the table does not name it.
std::optional<Scope> MethodScope(absl::string_view service,
                                 absl::string_view method);

// Every "<service>/<method>" the table names, for tests that compare it
// with the services' descriptors.
std::vector<std::string> ScopedMethods();

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_METHOD_SCOPES_H_
