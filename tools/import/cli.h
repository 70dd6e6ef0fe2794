// What the import tools share on the command line: exit codes and flag
// parsing that keeps to them.
#ifndef SMARTSHOP_TOOLS_IMPORT_CLI_H_
#define SMARTSHOP_TOOLS_IMPORT_CLI_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace smartshop::import {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the service or the machine failed
inline constexpr int kExitUsage = 2;   // fix the command line or the input

// absl::ParseCommandLine, except that --help (and the other usage flags)
// exit 0 and a bad flag exits kExitUsage; the Abseil release in Debian 12
// exits 1 for both. Returns the positional arguments, argv[0] first.
std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage);

// Prints "<program>: <message>" on stderr and returns `exit_code`.
int Fail(int exit_code, const absl::Status& status);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_CLI_H_
