// smartshop_eval: offline evaluation of the recommendation methods on
// MovieLens ratings and the Online Retail sample. See EvalCommand().
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tools/cli/command_line.h"
#include "tools/eval/dataset.h"
#include "tools/eval/evaluation.h"
#include "tools/eval/placement_data.h"
#include "tools/eval/report.h"

namespace {

// The shipped samples live beside the repository.
std::string DefaultDataFile(const char* path) {
  return std::filesystem::path(SMARTSHOP_SOURCE_DIR "/../shared/data/")
      .append(path)
      .lexically_normal()
      .string();
}

}  // namespace

ABSL_FLAG(std::string, dataset, "movielens",
          "movielens (--ratings, --movies) or online_retail (--retail)");
ABSL_FLAG(std::string, ratings,
          DefaultDataFile("movielens-latest-small/ratings.csv"),
          "ratings CSV with the columns userId,movieId,rating,timestamp");
ABSL_FLAG(std::string, movies,
          DefaultDataFile("movielens-latest-small/movies.csv"),
          "movies CSV with the columns movieId,title,genres");
ABSL_FLAG(std::string, retail,
          DefaultDataFile("online-retail-first10k/OnlineRetail.csv"),
          "Online Retail CSV (InvoiceNo,StockCode,Description,Quantity,"
          "InvoiceDate,UnitPrice,CustomerID,Country)");
ABSL_FLAG(bool, json, false, "print one JSON object instead of tables");
ABSL_FLAG(std::string, protocol, "",
          "comma-separated: per_user, global, product_page, cart; or both "
          "(per_user,global), placements (product_page,cart), all; default "
          "both on movielens, placements on online_retail");

namespace smartshop::eval {
namespace {

constexpr absl::string_view kProgram = "smartshop_eval";

absl::Status Run(const cli::Invocation& invocation, std::ostream& out);

// Built on first use and never destroyed, as smartshop builds its commands.
const cli::Command& EvalCommand() {
  static const cli::Command* const kCommand = new cli::Command{
      .name = kProgram,
      .summary = "offline evaluation on MovieLens and Online Retail",
      .usage =
          R"usage([--dataset=movielens|online_retail] [--ratings=ratings.csv] [--movies=movies.csv] [--retail=OnlineRetail.csv] [--json] [--protocol=LIST]

Offline evaluation of SmartShop's recommendation methods on MovieLens
(home page and placements) and on the Online Retail sample (placements).

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

Placements (see tools/eval/placement_splits.h), on both datasets:
  product_page  given a shopper's previous purchase, is the next in the 8?
  cart          a basket minus one product: is that product in the 8?
                (Online Retail: an invoice; MovieLens: a user's purchases
                of one UTC day)
Every question is asked after learning every event before it; held out
are purchases from the 80th percentile of purchase times. Online Retail: a
sale line (not cancelled, quantity > 0) is a view and a purchase; an
invoice without a CustomerID is a guest's basket (cart only). Methods:
popularity, co-purchase counts, item-kNN cosine, and the service's
RankProductPage / RankCart; lists filled from popularity.

Exit codes: 0 done; 1 failure; 2 bad flags or input that is not this
dataset.)usage",
      .flags = {{"dataset"},
                {"ratings"},
                {"movies"},
                {"retail"},
                {"json"},
                {"protocol"}},
      .run = Run,
  };
  return *kCommand;
}

struct Protocols {
  std::vector<Protocol> home;
  std::vector<Placement> placements;
};

absl::StatusOr<Protocols> ParseProtocols(absl::string_view list,
                                         bool movielens) {
  if (list.empty()) list = movielens ? "both" : "placements";
  Protocols protocols;
  auto add_home = [&](Protocol p) {
    if (std::find(protocols.home.begin(), protocols.home.end(), p) ==
        protocols.home.end()) {
      protocols.home.push_back(p);
    }
  };
  auto add_placement = [&](Placement p) {
    if (std::find(protocols.placements.begin(), protocols.placements.end(),
                  p) == protocols.placements.end()) {
      protocols.placements.push_back(p);
    }
  };
  for (absl::string_view name : absl::StrSplit(list, ',')) {
    const bool all = name == "all";
    if (all || name == "both" || name == "per_user") {
      add_home(Protocol::kPerUser);
    }
    if (all || name == "both" || name == "global") add_home(Protocol::kGlobal);
    if (all || name == "placements" || name == "product_page") {
      add_placement(Placement::kProductPage);
    }
    if (all || name == "placements" || name == "cart") {
      add_placement(Placement::kCart);
    }
    if (!all && name != "both" && name != "per_user" && name != "global" &&
        name != "placements" && name != "product_page" && name != "cart") {
      return absl::InvalidArgumentError(absl::StrCat(
          "--protocol: unknown protocol \"", name,
          "\" (per_user, global, product_page, cart, both, placements, all)"));
    }
  }
  if (!movielens && !protocols.home.empty()) {
    return absl::InvalidArgumentError(
        "--protocol: per_user and global need ratings: MovieLens only");
  }
  return protocols;
}

// A file that cannot be opened is the command line's fault too.
absl::Status UsageIfNotFound(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return absl::InvalidArgumentError(status.message());
}

absl::Status Run(const cli::Invocation& /*invocation*/, std::ostream& out) {
  const std::string name = absl::GetFlag(FLAGS_dataset);
  if (name != "movielens" && name != "online_retail") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dataset must be movielens or online_retail, not \"", name, "\""));
  }
  const bool movielens = name == "movielens";
  absl::StatusOr<Protocols> protocols =
      ParseProtocols(absl::GetFlag(FLAGS_protocol), movielens);
  if (!protocols.ok()) return protocols.status();
  const bool json = absl::GetFlag(FLAGS_json);
  // With --json the account of skipped rows is in the object; say it on
  // stderr too, so that it is never silent.
  auto describe = [&](const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      (json ? std::cerr : out) << line << "\n";
    }
  };
  auto run_placements = [&](const ShopData& shop) {
    std::vector<PlacementResult> results;
    for (Placement p : protocols->placements) {
      results.push_back(RunPlacement(p, shop));
      if (!json) out << "\n" << TextReport(results.back()) << std::flush;
    }
    return results;
  };

  if (!movielens) {
    absl::StatusOr<RetailDataset> retail =
        LoadRetail(absl::GetFlag(FLAGS_retail));
    if (!retail.ok()) return UsageIfNotFound(retail.status());
    describe(DescribeLoad(*retail));
    const std::vector<PlacementResult> placements =
        run_placements(FromRetail(retail->read));
    if (json) out << JsonReport(*retail, placements) << "\n";
    return absl::OkStatus();
  }

  absl::StatusOr<Dataset> dataset =
      LoadDataset({.ratings = absl::GetFlag(FLAGS_ratings),
                   .movies = absl::GetFlag(FLAGS_movies)});
  if (!dataset.ok()) return UsageIfNotFound(dataset.status());
  describe(DescribeLoad(*dataset));
  std::vector<ProtocolResult> results;
  for (Protocol p : protocols->home) {
    results.push_back(
        RunProtocol(p, dataset->data.ratings, dataset->catalog.products));
    if (!json) out << "\n" << TextReport(results.back()) << std::flush;
  }
  std::vector<PlacementResult> placements;
  if (!protocols->placements.empty()) {
    placements = run_placements(FromMovieLens(*dataset));
  }
  if (json) out << JsonReport(*dataset, results, placements) << "\n";
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
