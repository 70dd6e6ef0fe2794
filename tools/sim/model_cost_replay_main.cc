// smartshop_model_cost_replay: the Online Retail sample replayed against
// the original's caching policy and the service's, in simulated time;
// prints what each cost at the (fake) model and how often each was stale,
// as a markdown table (model_cost_replay.h). Exits non-zero only on errors.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "tools/import/retail_import.h"
#include "tools/sim/model_cost_replay.h"
#include "tools/sim/shop_simulation.h"

ABSL_FLAG(std::string, csv,
          std::filesystem::path(SMARTSHOP_SOURCE_DIR
                                "/../shared/data/online-retail-first10k/"
                                "OnlineRetail.csv")
              .lexically_normal()
              .string(),
          "Online Retail CSV (InvoiceNo,StockCode,Description,Quantity,"
          "InvoiceDate,UnitPrice,CustomerID,Country)");
ABSL_FLAG(int64_t, limit, 0, "data rows to read (0 = all)");
ABSL_FLAG(int, home_requests_per_visit, 1,
          "home page requests per visit, 1 to 10: at arrival, and the others "
          "spread evenly over the visit's events, the last after the order");

ABSL_FLAG(int, cost_profile_route_max_history, 20,
          "the cost profile's --model_route_max_history");
ABSL_FLAG(bool, what_if_new_users_share_anonymous, true,
          "also a table for the cost profile: ours with "
          "--new_users_share_anonymous (users with no event yet share the "
          "anonymous visitors' answer)");

namespace smartshop::sim {
namespace {

int Fail(const absl::Status& status) {
  std::cerr << "smartshop_model_cost_replay: " << status << "\n";
  return EXIT_FAILURE;
}

int Run() {
  const std::string path = absl::GetFlag(FLAGS_csv);
  if (absl::GetFlag(FLAGS_limit) < 0) {
    return Fail(absl::InvalidArgumentError("--limit must be >= 0"));
  }
  const int per_visit = absl::GetFlag(FLAGS_home_requests_per_visit);
  if (per_visit < 1 || per_visit > 10) {
    return Fail(absl::InvalidArgumentError(
        "--home_requests_per_visit must be 1 to 10"));
  }
  std::ifstream in(path);
  if (!in) {
    return Fail(absl::InvalidArgumentError(absl::StrFormat(
        "cannot open --csv=%s: %s", path, std::strerror(errno))));
  }
  absl::StatusOr<import::RetailImport> data =
      import::ReadRetailCsv(in, absl::GetFlag(FLAGS_limit));
  if (!data.ok()) return Fail(data.status());
  const std::vector<Invoice> invoices = InvoicesOf(data->events);
  const std::vector<ReplayAction> traffic = ReplayTraffic(invoices, per_visit);
  const std::vector<smartshop::v1::Product> products = data->catalog.Products();
  std::cout << absl::StrFormat(
      "Model cost replay of %s: %d visits, %d home page requests per visit, "
      "%d products, %d events\n\n%s\n\n%s\n\n"
      "Policies: original = the model ranks everyone (no builtin ranker), "
      "one shared key for all anonymous visitors, answers cached 1 h, no "
      "invalidation by events, prompt v1, no structured output, no answer "
      "reuse. ours = the service's defaults: builtin model fed with every "
      "event, carts/orders (and a session's events) drop the cached answer, "
      "sessions keyed and ranked by the builtin ranker, model answers cached "
      "1 h, prompt v2, structured output auto, answer reuse when compiled "
      "in (\"reuse on\").\n\n",
      path, invoices.size(), per_visit, products.size(),
      traffic.size() - invoices.size() * per_visit, kBehaviourModel,
      kStaleDefinition);
  absl::StatusOr<PolicyResult> original =
      RunPolicy(Policy::kOriginal, products, traffic);
  if (!original.ok()) return Fail(original.status());
  absl::StatusOr<PolicyResult> ours =
      RunPolicy(Policy::kOurs, products, traffic);
  if (!ours.ok()) return Fail(ours.status());
  std::cout << MarkdownTable(*original, *ours);
  if (absl::GetFlag(FLAGS_what_if_new_users_share_anonymous)) {
    const int route = absl::GetFlag(FLAGS_cost_profile_route_max_history);
    absl::StatusOr<PolicyResult> shared = RunPolicy(
        Policy::kOurs, products, traffic, {.new_users_share_anonymous = true});
    if (!shared.ok()) return Fail(shared.status());
    std::cout << "\nWith --new_users_share_anonymous (a user with no event "
                 "yet gets the anonymous visitors' answer):\n\n"
              << MarkdownTable(*original, *shared);
    absl::StatusOr<PolicyResult> profile = RunPolicy(
        Policy::kOurs, products, traffic,
        {.new_users_share_anonymous = true, .route_max_history = route});
    if (!profile.ok()) return Fail(profile.status());
    std::cout << "\nThe cost profile: that, and --model_route_max_history="
              << route
              << " (shoppers with more events of their own than that are "
                 "ranked by the builtin ranker):\n\n"
              << MarkdownTable(*original, *profile);
  }
  return EXIT_SUCCESS;
}

}  // namespace
}  // namespace smartshop::sim

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Replays the Online Retail sample against the original's caching "
      "policy and the service's; prints model calls, tokens, cost and stale "
      "answers side by side.");
  absl::ParseCommandLine(argc, argv);
  return smartshop::sim::Run();
}
