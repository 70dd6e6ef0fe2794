// smartshop_eval: offline evaluation of the recommendation methods on
// MovieLens ratings. See kUsage.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/eval/dataset.h"
#include "tools/eval/eval_flags.h"
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

constexpr absl::string_view kUsage =
    R"usage(Offline evaluation of SmartShop's recommendation methods on MovieLens.

  smartshop_eval [--ratings=ratings.csv] [--movies=movies.csv] [--json]
                 [--protocol=both|per_user|global]

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

Exit codes: 0 done; 1 failure; 2 bad flags or input that is not this dataset.)usage";

int Run() {
  const std::string protocol = absl::GetFlag(FLAGS_protocol);
  std::vector<Protocol> protocols;
  if (protocol == "both" || protocol == "per_user") {
    protocols.push_back(Protocol::kPerUser);
  }
  if (protocol == "both" || protocol == "global") {
    protocols.push_back(Protocol::kGlobal);
  }
  if (protocols.empty()) {
    return Fail(kExitUsage,
                absl::InvalidArgumentError(absl::StrCat(
                    "--protocol must be both, per_user or global, not "
                    "\"",
                    protocol, "\"")));
  }
  const bool json = absl::GetFlag(FLAGS_json);
  absl::StatusOr<Dataset> dataset =
      LoadDataset({.ratings = absl::GetFlag(FLAGS_ratings),
                   .movies = absl::GetFlag(FLAGS_movies)});
  if (!dataset.ok()) {
    const absl::StatusCode code = dataset.status().code();
    return Fail(code == absl::StatusCode::kInvalidArgument ||
                        code == absl::StatusCode::kNotFound
                    ? kExitUsage
                    : kExitFailed,
                dataset.status());
  }
  // With --json the account of skipped rows is in the object; say it on
  // stderr too, so that it is never silent.
  for (const std::string& line : DescribeLoad(*dataset)) {
    (json ? std::cerr : std::cout) << line << "\n";
  }
  std::vector<ProtocolResult> results;
  for (Protocol p : protocols) {
    results.push_back(
        RunProtocol(p, dataset->data.ratings, dataset->catalog.products));
    if (!json) std::cout << "\n" << TextReport(results.back()) << std::flush;
  }
  if (json) std::cout << JsonReport(*dataset, results) << "\n";
  return kExitOk;
}

}  // namespace
}  // namespace smartshop::eval

int main(int argc, char** argv) {
  using namespace smartshop;
  const std::vector<char*> positional =
      eval::ParseFlags(argc, argv, eval::kUsage);
  if (positional.size() > 1) {
    return eval::Fail(
        eval::kExitUsage,
        absl::InvalidArgumentError(absl::StrCat(
            "unexpected argument \"", positional[1],
            "\"; the files go in --ratings and --movies (see --help)")));
  }
  return eval::Run();
}
