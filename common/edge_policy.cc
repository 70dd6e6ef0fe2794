#include "common/edge_policy.h"

#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "common/method_scopes.h"
#include "common/status_util.h"

namespace smartshop {

EdgePolicy::EdgePolicy(absl::string_view service,
                       std::shared_ptr<const CallerAuth> auth,
                       Readiness readiness)
    : service_(service),
      auth_(std::move(auth)),
      readiness_(std::move(readiness)) {}

absl::Status EdgePolicy::Admit(absl::string_view method,
                               absl::string_view authorization) const {
  const std::optional<Scope> scope = MethodScope(service_, method);
  if (!scope.has_value()) {
    return absl::InternalError(absl::StrCat(method, ": no scope declared for ",
                                            service_, "/", method));
  }
  if (absl::StatusOr<std::string> caller =
          auth_->Authorize(authorization, *scope);
      !caller.ok()) {
    return absl::Status(caller.status().code(),
                        absl::StrCat(method, ": ", caller.status().message()));
  }
  if (readiness_ != nullptr) return readiness_();
  return absl::OkStatus();
}

grpc::Status EdgePolicy::Admit(const grpc::ServerContextBase& context,
                               absl::string_view method) const {
  absl::string_view authorization;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization = absl::string_view(it->second.data(), it->second.size());
  }
  return ToGrpcStatus(Admit(method, authorization));
}

}  // namespace smartshop
