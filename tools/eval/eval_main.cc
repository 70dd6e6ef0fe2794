// smartshop_eval: offline evaluation of the recommendation methods on
// MovieLens ratings. See kUsage.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/cli/command_line.h"
#include "tools/eval/dataset.h"
#include "tools/eval/evaluation.h"
#include "tools/eval/report.h"

namespace {

// The shipped MovieLens sample lives beside the repository.
std::string DefaultDataFile(const char* name) {
  return std::filesystem::path(SMARTSHOP_SOURCE_DIR
                               "/../shared/data/"
                               "movielens-latest-small/")
      .append(name)
      .lexically_normal()
      .string();
}

}  // namespace

ABSL_FLAG(std::string, ratings, DefaultDataFile("ratings.csv"),
          "ratings CSV with the columns userId,movieId,rating,timestamp");
ABSL_FLAG(std::string, movies, DefaultDataFile("movies.csv"),
          "movies CSV with the columns movieId,title,genres");
ABSL_FLAG(bool, json, false, "print one JSON object instead of tables");
ABSL_FLAG(std::string, protocol, "both",
          "both, per_user (protocol 2) or global (protocol 1)");

namespace smartshop::eval {
namespace {

constexpr absl::string_view kProgram = "smartshop_eval";

absl::Status Run(const cli::Invocation& invocation, std::ostream& out);

// Built on first use and never destroyed, as smartshop builds its commands.
const cli::Command& EvalCommand() {
  static const cli::Command* const kCommand = new cli::Command{
      .name = kProgram,
      .summary = "offline evaluation on MovieLens",
      .usage =
          R"usage([--ratings=ratings.csv] [--movies=movies.csv] [--json] [--protocol=both|per_user|global]

Offline evaluation of SmartShop's recommendation methods on MovieLens.

How the data is mapped: a movie is a product (active, no stock, name =
title, category = its first genre); every rating is a VIEW_PRODUCT at its
timestamp, and a rating >= 4 also an ORDER_PLACED at the same time.

Protocols (see tools/eval/splits.h):
  per_user  (protocol 2) each user's last 20% of ratings held out; the other
            users' later ratings stay in training (a leak, said in the output)
  global    (protocol 1) everything before T, the 80th percentile of rating
            times, is training; judged on what users liked from T on

Methods, each giving 8 products the user did not rate in training:
top sellers (the original fallback), top sellers of the last 30 days, the
original aggregation ranked by counts, and the service's builtin ranker.
Scores: HR@8, NDCG@8, catalog coverage, distinct categories per list, time.

Exit codes: 0 done; 1 failure; 2 bad flags or input that is not this
dataset.)usage",
      .flags = {{"ratings"}, {"movies"}, {"json"}, {"protocol"}},
      .run = Run,
  };
  return *kCommand;
}

absl::Status Run(const cli::Invocation& /*invocation*/, std::ostream& out) {
  const std::string protocol = absl::GetFlag(FLAGS_protocol);
  std::vector<Protocol> protocols;
  if (protocol == "both" || protocol == "per_user") {
    protocols.push_back(Protocol::kPerUser);
  }
  if (protocol == "both" || protocol == "global") {
    protocols.push_back(Protocol::kGlobal);
  }
  if (protocols.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--protocol must be both, per_user or global, not \"", protocol, "\""));
  }
  const bool json = absl::GetFlag(FLAGS_json);
  absl::StatusOr<Dataset> dataset =
      LoadDataset({.ratings = absl::GetFlag(FLAGS_ratings),
                   .movies = absl::GetFlag(FLAGS_movies)});
  if (!dataset.ok()) {
    // A file that cannot be opened is the command line's fault too.
    if (dataset.status().code() != absl::StatusCode::kNotFound) {
      return dataset.status();
    }
    return absl::InvalidArgumentError(dataset.status().message());
  }
  // With --json the account of skipped rows is in the object; say it on
  // stderr too, so that it is never silent.
  for (const std::string& line : DescribeLoad(*dataset)) {
    (json ? std::cerr : out) << line << "\n";
  }
  std::vector<ProtocolResult> results;
  for (Protocol p : protocols) {
    results.push_back(
        RunProtocol(p, dataset->data.ratings, dataset->catalog.products));
    if (!json) out << "\n" << TextReport(results.back()) << std::flush;
  }
  if (json) out << JsonReport(*dataset, results) << "\n";
  return absl::OkStatus();
}

}  // namespace
}  // namespace smartshop::eval

int main(int argc, char** argv) {
  using namespace smartshop;
  const std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<cli::Invocation> invocation =
      cli::ParseCommandArgs(eval::EvalCommand(), args);
  if (!invocation.ok()) {
    std::cerr << eval::kProgram << ": " << invocation.status().message()
              << "\nRun \"" << eval::kProgram << " --help\" for its usage.\n";
    return cli::kExitUsage;
  }
  if (invocation->help) {
    std::cout << cli::CommandHelp(eval::kProgram, eval::EvalCommand());
    return cli::kExitOk;
  }
  const absl::Status status = eval::EvalCommand().run(*invocation, std::cout);
  std::cout.flush();
  if (!status.ok()) {
    std::cerr << eval::kProgram << ": " << status.message();
    // Usage errors speak for themselves; for failures the code tells what
    // kind of trouble it is.
    if (cli::ExitCode(status) != cli::kExitUsage) {
      std::cerr << " (" << absl::StatusCodeToString(status.code()) << ")";
    }
    std::cerr << "\n";
  }
  return cli::ExitCode(status);
}
