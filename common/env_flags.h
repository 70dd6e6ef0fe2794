// Environment variables as flag defaults: a flag given on the command line
// wins, else its environment variable, else the flag's built-in default.
#ifndef SMARTSHOP_COMMON_ENV_FLAGS_H_
#define SMARTSHOP_COMMON_ENV_FLAGS_H_

#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace smartshop {

struct FlagEnv {
  absl::string_view flag;
  absl::string_view env;
};

// REQUIRES: called before absl::ParseCommandLine, so that the command line
// overrides what is set here. Returns INVALID_ARGUMENT naming the variable
// when a value does not parse as the flag's type.
absl::Status ApplyEnvironmentToFlags(absl::Span<const FlagEnv> bindings);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_ENV_FLAGS_H_
