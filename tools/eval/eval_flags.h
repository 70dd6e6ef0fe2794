// smartshop_eval's command line: its exit codes (those of `smartshop`) and
// flag parsing that keeps to them.
#ifndef SMARTSHOP_TOOLS_EVAL_EVAL_FLAGS_H_
#define SMARTSHOP_TOOLS_EVAL_EVAL_FLAGS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace smartshop::eval {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the machine failed
inline constexpr int kExitUsage = 2;   // fix the command line or the input

// absl::ParseCommandLine, except that --help (and the other usage flags)
// exit 0 and a bad flag exits kExitUsage; the Abseil release in Debian 12
// exits 1 for both. Returns the positional arguments, argv[0] first.
std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage);

// Prints "<program>: <message>" on stderr and returns `exit_code`.
int Fail(int exit_code, const absl::Status& status);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_EVAL_FLAGS_H_
