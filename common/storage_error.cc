#include "common/storage_error.h"

#include <string>

#include "common/json_log.h"

namespace smartshop {
namespace {

absl::string_view PhraseFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return "storage: unavailable";
    case absl::StatusCode::kDeadlineExceeded:
      return "storage: deadline exceeded";
    case absl::StatusCode::kInvalidArgument:
      return "storage: rejected";
    case absl::StatusCode::kAborted:
      return "storage: conflict, retry";
    default:
      return "storage: internal error";
  }
}

}  // namespace

absl::Status StorageErrorForCaller(const absl::Status& detailed,
                                   absl::string_view operation) {
  if (detailed.ok()) return detailed;
  const std::string code = absl::StatusCodeToString(detailed.code());
  Log(LogLevel::kWarning, "storage_error",
      {{"operation", operation},
       {"code", absl::string_view(code)},
       {"error", detailed.message()}});
  return absl::Status(detailed.code(), PhraseFor(detailed.code()));
}

}  // namespace smartshop
