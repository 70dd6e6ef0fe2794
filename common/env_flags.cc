#include "common/env_flags.h"

#include <cstdlib>
#include <string>

#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"

namespace smartshop {

absl::Status ApplyEnvironmentToFlags(absl::Span<const FlagEnv> bindings) {
  for (const FlagEnv& binding : bindings) {
    const char* value = std::getenv(std::string(binding.env).c_str());
    if (value == nullptr) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(binding.flag);
    if (flag == nullptr) {
      return absl::InternalError(
          absl::StrCat("no flag --", binding.flag, " for ", binding.env));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", binding.env, ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace smartshop
