// smartshop_import: loads the UCI "Online Retail" CSV or MovieLens ratings
// into a running tracking service (catalog first, then events). See kUsage.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/bearer_channel.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/import/catalog_builder.h"
#include "tools/import/cli.h"
#include "tools/import/movielens.h"
#include "tools/import/movielens_import.h"
#include "tools/import/progress.h"
#include "tools/import/retail_import.h"
#include "tools/import/tracking_client.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "gRPC address of the tracking service");
ABSL_FLAG(std::string, format, "retail",
          "retail (the UCI Online Retail CSV) or movielens (ratings.csv and "
          "movies.csv)");
ABSL_FLAG(std::string, csv, "",
          "retail: path of the Online Retail CSV, e.g. "
          "../shared/data/online-retail-first10k/OnlineRetail.csv; "
          "movielens: the directory holding ratings.csv and movies.csv, e.g. "
          "../shared/data/movielens-latest-small");
ABSL_FLAG(std::string, ratings, "",
          "movielens: path of ratings.csv (with --movies, instead of --csv)");
ABSL_FLAG(std::string, movies, "",
          "movielens: path of movies.csv (with --ratings, instead of --csv)");
ABSL_FLAG(int64_t, limit, 0,
          "read at most this many data rows (movielens: of ratings.csv); "
          "0 = all");
ABSL_FLAG(bool, dry_run, false,
          "read and map the file and print the summary, but send nothing");
ABSL_FLAG(int, products_per_call, 1000,
          "products per UpsertProducts call (1 to 1000, the service's limit)");
ABSL_FLAG(int, events_per_message, 500, "events per StreamTrack message");
ABSL_FLAG(int, events_per_call, 20000,
          "events per StreamTrack call; larger imports use several calls");
ABSL_FLAG(absl::Duration, rpc_timeout, absl::Seconds(60),
          "deadline of each gRPC call");

namespace smartshop::import {
namespace {

constexpr absl::string_view kUsage =
    R"usage(Loads the UCI "Online Retail" CSV, or MovieLens ratings, into a running SmartShop tracking service.

  smartshop_import --csv=OnlineRetail.csv [--target=host:port] [--limit=N]
  smartshop_import --format=movielens --csv=DIR [--target=host:port]
  smartshop_import --format=movielens --ratings=FILE --movies=FILE

--format=retail (the default): the header must name the columns InvoiceNo,
StockCode, Description, Quantity, InvoiceDate, UnitPrice and CustomerID (any
order; Country is not used).
  products    one per StockCode; id 1, 2, 3, ... in order of each StockCode's
              first appearance in the file (so a --limit prefix gives the same
              ids as the whole file); name = Description (the latest non-empty
              one, else the StockCode); price = the latest positive UnitPrice;
              units_sold = the quantities of the sales below; active; no stock.
  categories  the data has none: every product is put in category 1,
              "Online Retail (uncategorised)".
  events      each sale (an invoice line not starting with C, Quantity > 0)
              becomes an ORDER_PLACED at InvoiceDate (read as UTC) with
              order_id = InvoiceNo and the quantity, plus a VIEW_PRODUCT one
              minute earlier (synthesised: the data has no views). The shopper
              is user CustomerID, or session "guest-<InvoiceNo>" when blank.
              event_id = UUID v5 of "online-retail:<data row>:<view|order>",
              so importing the same file again stores nothing new.
  skipped     cancellations, non-positive quantities and malformed rows are
              counted by reason in the summary, with examples.

--format=movielens: ratings.csv (userId,movieId,rating,timestamp) and
movies.csv (movieId,title,genres) as GroupLens publishes them.
  categories  one per first genre, ids 1, 2, 3, ... by name.
  products    one per movie: id = movieId, name = title, category = its first
              genre, units_sold = its ratings >= 4; active; no stock.
              Product ids are movieIds: use a database without another
              import, whose products with the same ids would be replaced.
  events      by time: each rating becomes a VIEW_PRODUCT at its timestamp,
              and a rating >= 4 also an ORDER_PLACED at the same time
              (quantity 1, order_id = userId * 10^10 + timestamp), for user
              "ml-<userId>". event_id = UUID v5 of
              "movielens:<userId>:<movieId>:<timestamp>:<view|order>", so
              importing the same files again stores nothing new.
  skipped     malformed rows and ratings of movies not in movies.csv are
              counted by reason in the summary, with examples.

Progress goes to stderr; the summary to stdout.
Exit codes: 0 done; 1 the service failed or rejected events; 2 bad flags or
input that is not this dataset.)usage";

constexpr int kMaxProductsPerCall = 1000;

enum class Format { kRetail, kMovieLens };

absl::StatusOr<Format> CheckFlags() {
  const std::string format = absl::GetFlag(FLAGS_format);
  if (format != "retail" && format != "movielens") {
    return absl::InvalidArgumentError(absl::StrCat(
        "--format must be retail or movielens, not \"", format, "\""));
  }
  const bool movielens = format == "movielens";
  const bool csv = !absl::GetFlag(FLAGS_csv).empty();
  const bool files = !absl::GetFlag(FLAGS_ratings).empty() ||
                     !absl::GetFlag(FLAGS_movies).empty();
  if (!movielens && files) {
    return absl::InvalidArgumentError(
        "--ratings and --movies are for --format=movielens");
  }
  if (!movielens && !csv) {
    return absl::InvalidArgumentError("--csv is required (see --help)");
  }
  if (movielens && csv == files) {
    return absl::InvalidArgumentError(
        "--format=movielens needs either --csv=<directory with ratings.csv "
        "and movies.csv> or --ratings and --movies (see --help)");
  }
  if (movielens && files &&
      (absl::GetFlag(FLAGS_ratings).empty() ||
       absl::GetFlag(FLAGS_movies).empty())) {
    return absl::InvalidArgumentError(
        "--ratings and --movies go together (or give the directory in --csv)");
  }
  if (absl::GetFlag(FLAGS_limit) < 0) {
    return absl::InvalidArgumentError("--limit must be >= 0 (0 = all rows)");
  }
  const int products = absl::GetFlag(FLAGS_products_per_call);
  if (products < 1 || products > kMaxProductsPerCall) {
    return absl::InvalidArgumentError(
        absl::StrCat("--products_per_call must be 1 to ", kMaxProductsPerCall));
  }
  if (absl::GetFlag(FLAGS_events_per_message) < 1 ||
      absl::GetFlag(FLAGS_events_per_call) < 1) {
    return absl::InvalidArgumentError(
        "--events_per_message and --events_per_call must be >= 1");
  }
  if (absl::GetFlag(FLAGS_rpc_timeout) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--rpc_timeout must be positive");
  }
  return movielens ? Format::kMovieLens : Format::kRetail;
}

// Names the service in a failure, since "connection refused" alone does not
// say which address was tried.
absl::Status AtTarget(const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("tracking service at ",
                                                  absl::GetFlag(FLAGS_target),
                                                  ": ", status.message()));
}

// An input file as the summary accounts for it.
struct InputFile {
  std::string label;  // "rows", "ratings.csv rows", ...
  int64_t rows = 0;
  SkipTally skipped;
};

// What is sent, whatever the format.
struct Plan {
  std::vector<InputFile> inputs;
  std::vector<smartshop::v1::Category> categories;
  std::vector<smartshop::v1::Product> products;
  std::vector<smartshop::v1::Interaction> events;
  std::vector<int64_t> event_rows;  // the data row of each event
  int64_t views = 0;
  int64_t orders = 0;
};

void PrintRetailPlan(const RetailImport& data) {
  std::cout << absl::StreamFormat(
      "Read %d data rows: %d sales, %d skipped (reasons below).\n"
      "Products: %d, one per StockCode, ids 1..%d in order of first "
      "appearance.\n"
      "Categories: the data has none, so every product is in category %d "
      "\"%s\".\n"
      "Events: per sale an ORDER_PLACED plus a synthesised VIEW_PRODUCT one "
      "minute before it: %d events.\n",
      data.rows_read, data.sales, data.skipped.total(), data.catalog.size(),
      data.catalog.size(), kCategoryId, kCategoryName, data.events.size());
  const std::vector<std::string> variants = data.catalog.CaseVariants();
  if (!variants.empty()) {
    std::cout << absl::StreamFormat(
        "Note: %d StockCodes differ from another only in letter case (e.g. "
        "%s); they stay separate products, as in the data.\n",
        variants.size(),
        absl::StrJoin(variants.begin(),
                      variants.begin() + std::min<size_t>(4, variants.size()),
                      ", "));
  }
}

// Reads the Online Retail CSV and says what will be sent.
absl::StatusOr<Plan> ReadRetail() {
  const std::string path = absl::GetFlag(FLAGS_csv);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open --csv=", path, ": ", std::strerror(errno)));
  }
  std::cout << "Reading " << path << "\n";
  absl::StatusOr<RetailImport> data =
      ReadRetailCsv(in, absl::GetFlag(FLAGS_limit));
  if (!data.ok()) {
    return absl::Status(data.status().code(),
                        absl::StrCat(path, ": ", data.status().message()));
  }
  PrintRetailPlan(*data);
  Plan plan;
  plan.inputs.push_back({"rows", data->rows_read, data->skipped});
  plan.categories = {CatalogBuilder::Category()};
  plan.products = data->catalog.Products();
  plan.events = std::move(data->events);
  plan.event_rows = std::move(data->event_rows);
  plan.views = data->sales;
  plan.orders = data->sales;
  return plan;
}

// Reads the MovieLens files and says what will be sent.
absl::StatusOr<Plan> ReadMovieLens() {
  const MovieLensPaths paths =
      absl::GetFlag(FLAGS_csv).empty()
          ? MovieLensPaths{.ratings = absl::GetFlag(FLAGS_ratings),
                           .movies = absl::GetFlag(FLAGS_movies)}
          : PathsInDirectory(absl::GetFlag(FLAGS_csv));
  std::cout << "Reading " << paths.movies << " and " << paths.ratings << "\n"
            << std::flush;
  absl::StatusOr<MovieLensData> data =
      LoadMovieLens(paths, absl::GetFlag(FLAGS_limit));
  if (!data.ok()) return data.status();
  MovieLensImport mapped = BuildMovieLensImport(*data);
  std::cout << absl::StreamFormat(
      "Read %d movie rows (%d skipped) and %d rating rows (%d skipped); "
      "reasons below.\n"
      "Categories: %d, one per first genre, ids 1..%d by name.\n"
      "Products: %d, id = movieId, units_sold = ratings >= %g. They replace "
      "products with the same ids.\n"
      "Events: per rating a VIEW_PRODUCT, per rating >= %g also an "
      "ORDER_PLACED, in time order: %d events.\n",
      data->movie_rows, data->movies_skipped.total(), data->rating_rows,
      data->ratings_skipped.total() + mapped.skipped.total(),
      mapped.catalog.categories.size(), mapped.catalog.categories.size(),
      mapped.catalog.products.size(), kPurchaseRating, kPurchaseRating,
      mapped.events.size());
  Plan plan;
  plan.inputs.push_back(
      {"movies.csv rows", data->movie_rows, data->movies_skipped});
  plan.inputs.push_back(
      {"ratings.csv rows", data->rating_rows, data->ratings_skipped});
  if (mapped.skipped.total() > 0) {
    plan.inputs.push_back({"ratings without events", 0, mapped.skipped});
  }
  plan.categories = std::move(mapped.catalog.categories);
  plan.products = std::move(mapped.catalog.products);
  plan.events = std::move(mapped.events);
  plan.event_rows = std::move(mapped.event_rows);
  plan.views = mapped.views;
  plan.orders = mapped.orders;
  return plan;
}

void PrintSkipped(absl::string_view label, const SkipTally& skipped) {
  std::cout << absl::StreamFormat(
      "  %-24s %8d\n", absl::StrCat(label, " skipped"), skipped.total());
  for (const SkipTally::Group& group : skipped.groups()) {
    std::cout << absl::StreamFormat("    %6d  %s\n", group.count, group.reason);
    for (const std::string& example : group.examples) {
      std::cout << "            e.g. " << example << "\n";
    }
  }
}

void PrintSummary(const Plan& plan, int64_t products_upserted,
                  const StreamTotals* totals) {
  std::cout << "\nSummary\n";
  for (const InputFile& input : plan.inputs) {
    if (input.rows > 0 || input.skipped.total() == 0) {
      std::cout << absl::StreamFormat(
          "  %-24s %8d\n", absl::StrCat(input.label, " read"), input.rows);
    }
    PrintSkipped(input.label, input.skipped);
  }
  std::cout << absl::StreamFormat(
      "  %-24s %8d\n", "categories upserted",
      totals == nullptr ? 0 : static_cast<int64_t>(plan.categories.size()));
  std::cout << absl::StreamFormat("  %-24s %8d\n", "products upserted",
                                  products_upserted);
  if (totals == nullptr) {
    std::cout << absl::StreamFormat(
        "  %-24s %8d  (dry run: nothing was sent)\n", "events mapped",
        plan.events.size());
    return;
  }
  std::cout << absl::StreamFormat(
      "  %-24s %8d  (%d VIEW_PRODUCT + %d ORDER_PLACED in %d StreamTrack "
      "call(s))\n",
      "events sent", plan.events.size(), plan.views, plan.orders,
      totals->calls);
  std::cout << absl::StreamFormat("    %-22s %8d\n", "received",
                                  totals->received);
  std::cout << absl::StreamFormat("    %-22s %8d\n", "stored", totals->stored);
  std::cout << absl::StreamFormat(
      "    %-22s %8d%s\n", "duplicates", totals->duplicates,
      totals->duplicates == totals->received && totals->received > 0
          ? "  (all: this input was imported before)"
          : "");
  std::cout << absl::StreamFormat("    %-22s %8d\n", "rejected",
                                  totals->rejected);
  for (const smartshop::v1::EventResult& rejection : totals->rejections) {
    const size_t index = static_cast<size_t>(rejection.index());
    std::cout << absl::StreamFormat(
        "      e.g. row %d, %s: %s: %s\n",
        index < plan.event_rows.size() ? plan.event_rows[index] : -1,
        index < plan.events.size()
            ? smartshop::v1::InteractionType_Name(plan.events[index].type())
            : "?",
        rejection.field(), rejection.error());
  }
  if (totals->results_omitted > 0) {
    std::cout << absl::StreamFormat(
        "    (the service left %d non-stored results out of its replies)\n",
        totals->results_omitted);
  }
  if (totals->retried_calls > 0) {
    std::cout << absl::StreamFormat(
        "    (%d StreamTrack call(s) were retried after UNAVAILABLE; events "
        "the failed attempt stored count as duplicates)\n",
        totals->retried_calls);
  }
}

int Run() {
  absl::StatusOr<Format> format = CheckFlags();
  if (!format.ok()) return Fail(kExitUsage, format.status());
  absl::StatusOr<Plan> plan =
      *format == Format::kRetail ? ReadRetail() : ReadMovieLens();
  if (!plan.ok()) {
    const absl::StatusCode code = plan.status().code();
    const bool bad_input = code == absl::StatusCode::kInvalidArgument ||
                           code == absl::StatusCode::kNotFound;
    return Fail(bad_input ? kExitUsage : kExitFailed, plan.status());
  }
  if (absl::GetFlag(FLAGS_dry_run)) {
    PrintSummary(*plan, 0, nullptr);
    return kExitOk;
  }

  const std::string target = absl::GetFlag(FLAGS_target);
  std::cout << "Sending to the tracking service at " << target << "\n"
            << std::flush;
  const std::shared_ptr<grpc::Channel> channel = CreateToolChannel(target);
  auto catalog_stub = smartshop::v1::CatalogService::NewStub(channel);
  auto tracking_stub = smartshop::v1::TrackingService::NewStub(channel);
  const RpcOptions rpc{.timeout = absl::GetFlag(FLAGS_rpc_timeout)};

  Progress catalog_progress("products upserted",
                            static_cast<int64_t>(plan->products.size()));
  absl::StatusOr<int64_t> upserted = PushCatalog(
      *catalog_stub, plan->categories, plan->products,
      absl::GetFlag(FLAGS_products_per_call), rpc, &catalog_progress);
  if (!upserted.ok()) return Fail(kExitFailed, AtTarget(upserted.status()));

  Progress event_progress("events sent",
                          static_cast<int64_t>(plan->events.size()));
  absl::StatusOr<StreamTotals> totals = StreamEvents(
      *tracking_stub, plan->events, absl::GetFlag(FLAGS_events_per_message),
      absl::GetFlag(FLAGS_events_per_call), rpc, &event_progress);
  if (!totals.ok()) return Fail(kExitFailed, AtTarget(totals.status()));

  PrintSummary(*plan, *upserted, &*totals);
  if (totals->received != static_cast<int64_t>(plan->events.size())) {
    return Fail(kExitFailed, absl::DataLossError(absl::StrCat(
                                 "the service acknowledged ", totals->received,
                                 " of ", plan->events.size(), " events sent")));
  }
  if (totals->rejected > 0) {
    return Fail(kExitFailed, absl::FailedPreconditionError(absl::StrCat(
                                 "the service rejected ", totals->rejected,
                                 " event(s); see the summary")));
  }
  return kExitOk;
}

}  // namespace
}  // namespace smartshop::import

int main(int argc, char** argv) {
  using namespace smartshop::import;
  const std::vector<char*> positional = ParseFlags(argc, argv, kUsage);
  if (positional.size() > 1) {
    return Fail(kExitUsage, absl::InvalidArgumentError(absl::StrCat(
                                "unexpected argument \"", positional[1],
                                "\"; the input goes in --csv (see --help)")));
  }
  return Run();
}
