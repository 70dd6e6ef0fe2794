#include "common/server_flags.h"

#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/types/optional.h"

namespace smartshop {
namespace {

// The flags are found by name: they are defined by the binary
// (SMARTSHOP_SERVER_FLAGS), not by this library.
template <typename T>
absl::Status Read(absl::string_view name, T* value) {
  const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
  absl::optional<T> current;
  if (flag != nullptr) current = flag->TryGet<T>();
  if (!current.has_value()) {
    return absl::InternalError(absl::StrCat(
        "--", name, " is not defined as SMARTSHOP_SERVER_FLAGS does"));
  }
  *value = *std::move(current);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CallerAuth>> ServerFlags::LoadAuth()
    const {
  return LoadCallerAuth(auth_tokens_file, insecure_no_auth);
}

absl::StatusOr<ServerFlags> ReadServerFlags() {
  ServerFlags flags;
  for (const absl::Status& status :
       {Read("listen", &flags.listen_address),
        Read("admin_listen", &flags.admin_address),
        Read("drain_timeout", &flags.drain_timeout),
        Read("tls_cert_file", &flags.tls.cert_file),
        Read("tls_key_file", &flags.tls.key_file),
        Read("tls_client_ca_file", &flags.tls.client_ca_file),
        Read("auth_tokens_file", &flags.auth_tokens_file),
        Read("insecure_no_auth", &flags.insecure_no_auth)}) {
    if (!status.ok()) return status;
  }
  return flags;
}

}  // namespace smartshop
