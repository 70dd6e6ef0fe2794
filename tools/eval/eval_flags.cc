#include "tools/eval/eval_flags.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace smartshop::eval {
namespace {

// The exit code to use if absl exits while parsing; -1 = none (parsing
// is over, or has not begun).
int exit_code_while_parsing = -1;

// For messages: the program's file name, set by ParseFlags.
std::string program_name = "smartshop_eval";

// absl::ParseCommandLine calls std::exit(1) both after printing help and on
// a bad flag, and offers no hook; an atexit handler is the one place to
// substitute the code. _exit is the only exit allowed inside a handler, so
// the streams are flushed by hand first.
void SubstituteExitCode() {
  if (exit_code_while_parsing < 0) return;
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(exit_code_while_parsing);
}

bool IsUsageFlag(absl::string_view arg) {
  if (!absl::ConsumePrefix(&arg, "--") && !absl::ConsumePrefix(&arg, "-")) {
    return false;
  }
  arg = arg.substr(0, arg.find('='));
  return arg == "help" || arg == "helpfull" || arg == "helpshort" ||
         arg == "helppackage" || arg == "helpon" || arg == "helpmatch" ||
         arg == "version" || arg == "only_check_args";
}

}  // namespace

std::vector<char*> ParseFlags(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  // By default --help lists only flags of a file named like the program;
  // ours live in tools/eval/eval_main.cc.
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/eval/");
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
  if (argc > 0) {
    const absl::string_view path = argv[0];
    program_name = std::string(path.substr(path.rfind('/') + 1));
  }
  bool wants_usage = false;
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    if (arg == "--") break;
    wants_usage = wants_usage || IsUsageFlag(arg);
  }
  exit_code_while_parsing = wants_usage ? kExitOk : kExitUsage;
  std::atexit(SubstituteExitCode);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  exit_code_while_parsing = -1;
  return positional;
}

int Fail(int exit_code, const absl::Status& status) {
  std::cerr << program_name << ": " << status.message();
  // Usage errors speak for themselves; for failures the code (UNAVAILABLE,
  // DEADLINE_EXCEEDED, ...) tells what kind of trouble it is.
  if (exit_code != kExitUsage) {
    std::cerr << " (" << absl::StatusCodeToString(status.code()) << ")";
  }
  std::cerr << "\n";
  return exit_code;
}

}  // namespace smartshop::eval
