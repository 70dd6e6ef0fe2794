// Subcommands over process-wide Abseil flags, for smartshop and
// smartshop_eval alike: each command accepts only the flags it names, under a
// name of its own if it likes (track's --json is the string flag event_json,
// recommend's --json the bool flag json), and its --help lists just those.
// Parsing reports errors as INVALID_ARGUMENT instead of exiting, so that the
// caller picks the exit code and tests can run it.
#ifndef SMARTSHOP_TOOLS_CLI_COMMAND_LINE_H_
#define SMARTSHOP_TOOLS_CLI_COMMAND_LINE_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace smartshop::cli {

// Exit codes: 0 done; 1 a service or the machine failed; 2 the command line
// or the input is at fault ("fix and run again").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// kExitOk for OK, kExitUsage for INVALID_ARGUMENT, else kExitFailed.
int ExitCode(const absl::Status& status);

struct FlagSpec {
  // The name on this command's command line, without dashes.
  absl::string_view name;
  // The Abseil flag that holds the value; empty = the same as `name`.
  absl::string_view flag = {};
  // Replaces the Abseil flag's help text in this command's --help.
  absl::string_view help = {};

  absl::string_view flag_name() const { return flag.empty() ? name : flag; }
};

// What the command line asked for, beyond the flag values themselves
// (those are read with absl::GetFlag).
struct Invocation {
  bool help = false;  // --help, -h or --helpfull: print usage, do nothing
  // Abseil names of the flags given, so that a command can tell "not given"
  // from "given the default value".
  absl::flat_hash_set<std::string> given;

  bool Given(absl::string_view flag) const { return given.contains(flag); }
};

struct Command {
  absl::string_view name;
  absl::string_view summary;  // one line, for `smartshop help`
  // The synopsis line(s), then a blank line and what the command does.
  absl::string_view usage;
  std::vector<FlagSpec> flags;
  // Writes results on `out`; progress and warnings go to stderr. A non-OK
  // status is the message to print and decides the exit code (ExitCode).
  absl::Status (*run)(const Invocation& invocation, std::ostream& out);
};

// Sets the flags `args` (what follows the command name) give, if `command`
// accepts them: --name=value, --name value, --bool, --nobool, -name forms;
// "--" ends the flags. REQUIRES: every FlagSpec names a defined Abseil flag.
// INVALID_ARGUMENT for an unknown flag, a bad value or a positional
// argument. With --help the rest is not parsed.
absl::StatusOr<Invocation> ParseCommandArgs(const Command& command,
                                            absl::Span<const std::string> args);

// "Usage: <program> <usage>" and the command's flags, each with its type,
// default and help.
std::string CommandHelp(absl::string_view program, const Command& command);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_COMMAND_LINE_H_
