// The smartshop commands and the dispatch from a command line to them:
// smartshop is the one client of the services (track, import, import-retail,
// import-movielens, inspect, recommend, invalidate, health, rules upsert,
// rules list, rules delete, experiments list, experiments report,
// insights).
//
// Exit codes: 0 done; 1 a service failed or could not be reached, or
// (health) is not SERVING; 2 the command line or the input is at fault:
// unknown command or flag, bad value, unreadable file, lines skipped,
// events the service rejected, or INVALID_ARGUMENT from a service. A 2 means
// "fix and run again"; every command is safe to run again.
#ifndef SMARTSHOP_TOOLS_CLI_COMMANDS_H_
#define SMARTSHOP_TOOLS_CLI_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/cli/command_line.h"

namespace smartshop::cli {

// Every command, in the order `smartshop help` lists them.
const std::vector<Command>& Commands();

// Runs `args` (the command line without the program name): prints results
// on `out`, usage errors and failures on `err`, and returns the exit code.
int RunSmartshop(absl::Span<const std::string> args, std::ostream& out,
                 std::ostream& err);

// The commands themselves (see Commands() for what each does).
absl::Status RunTrack(const Invocation& invocation, std::ostream& out);
absl::Status RunImport(const Invocation& invocation, std::ostream& out);
absl::Status RunImportRetail(const Invocation& invocation, std::ostream& out);
absl::Status RunImportMovieLens(const Invocation& invocation,
                                std::ostream& out);
absl::Status RunInspect(const Invocation& invocation, std::ostream& out);
absl::Status RunRecommend(const Invocation& invocation, std::ostream& out);
absl::Status RunInvalidate(const Invocation& invocation, std::ostream& out);
absl::Status RunHealth(const Invocation& invocation, std::ostream& out);
absl::Status RunRulesUpsert(const Invocation& invocation, std::ostream& out);
absl::Status RunRulesList(const Invocation& invocation, std::ostream& out);
absl::Status RunRulesDelete(const Invocation& invocation, std::ostream& out);
absl::Status RunExperimentsList(const Invocation& invocation,
                                std::ostream& out);
absl::Status RunExperimentsReport(const Invocation& invocation,
                                  std::ostream& out);
absl::Status RunInsights(const Invocation& invocation, std::ostream& out);
absl::Status RunSimulate(const Invocation& invocation, std::ostream& out);

// track's event, from --json or from the field flags (not both).
// INVALID_ARGUMENT naming the flag at fault.
absl::StatusOr<smartshop::v1::Interaction> EventFromFlags(
    const Invocation& invocation);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_COMMANDS_H_
