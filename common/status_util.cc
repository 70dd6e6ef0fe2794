#include "common/status_util.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace smartshop {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  if (what.empty()) return absl::Status(code, status.error_message());
  return absl::Status(code, absl::StrCat(what, ": ", status.error_message()));
}

absl::Time CallDeadline(const grpc::ServerContextBase& context,
                        absl::Duration max_wait) {
  const absl::Time cap = absl::Now() + max_wait;
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return cap;
  return std::min(cap, absl::FromChrono(deadline));
}

std::chrono::system_clock::time_point ClientDeadline(absl::Duration timeout) {
  return absl::ToChronoTime(absl::Now() + timeout);
}

}  // namespace smartshop
