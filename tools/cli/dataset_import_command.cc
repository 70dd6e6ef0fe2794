// smartshop import-retail and import-movielens: a public dataset into the
// tracking service, catalog first. The dataset readers (tools/import) map
// it onto products and events; this prints what they made of it, sends it
// (upload.h), and sums up what the service did with it.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/upload.h"
#include "tools/import/catalog_builder.h"
#include "tools/import/movielens.h"
#include "tools/import/movielens_import.h"
#include "tools/import/retail_import.h"

namespace smartshop::cli {
namespace {

using import::SkipTally;

// An input file as the summary accounts for it.
struct InputRows {
  std::string label;  // "rows", "ratings.csv rows", ...
  int64_t rows = 0;
  SkipTally skipped;
};

// What is sent, whatever the dataset.
struct Plan {
  std::vector<InputRows> inputs;
  std::vector<smartshop::v1::Category> categories;
  std::vector<smartshop::v1::Product> products;
  std::vector<smartshop::v1::Interaction> events;
  std::vector<int64_t> event_rows;  // the data row of each event
  int64_t views = 0;
  int64_t orders = 0;
};

// A file that cannot be opened or read as the dataset is the command line's
// fault (exit 2); a failing disk is not.
absl::Status InputError(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kNotFound) return status;
  return absl::InvalidArgumentError(status.message());
}

absl::StatusOr<Plan> ReadRetail(std::ostream& out) {
  const std::string path = absl::GetFlag(FLAGS_csv);
  if (path.empty()) {
    return absl::InvalidArgumentError("--csv is required (see --help)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open --csv=", path, ": ", std::strerror(errno)));
  }
  out << "Reading " << path << "\n";
  absl::StatusOr<import::RetailImport> data =
      import::ReadRetailCsv(in, absl::GetFlag(FLAGS_row_limit));
  if (!data.ok()) {
    return absl::Status(data.status().code(),
                        absl::StrCat(path, ": ", data.status().message()));
  }
  out << absl::StreamFormat(
      "Read %d data rows: %d sales, %d skipped (reasons below).\n"
      "Products: %d, one per StockCode, ids 1..%d in order of first "
      "appearance.\n"
      "Categories: the data has none, so every product is in category %d "
      "\"%s\".\n"
      "Events: per sale an ORDER_PLACED plus a synthesised VIEW_PRODUCT one "
      "minute before it: %d events.\n",
      data->rows_read, data->sales, data->skipped.total(), data->catalog.size(),
      data->catalog.size(), import::kCategoryId, import::kCategoryName,
      data->events.size());
  const std::vector<std::string> variants = data->catalog.CaseVariants();
  if (!variants.empty()) {
    out << absl::StreamFormat(
        "Note: %d StockCodes differ from another only in letter case (e.g. "
        "%s); they stay separate products, as in the data.\n",
        variants.size(),
        absl::StrJoin(variants.begin(),
                      variants.begin() + std::min<size_t>(4, variants.size()),
                      ", "));
  }
  return Plan{.inputs = {{"rows", data->rows_read, data->skipped}},
              .categories = {import::CatalogBuilder::Category()},
              .products = data->catalog.Products(),
              .events = std::move(data->events),
              .event_rows = std::move(data->event_rows),
              .views = data->sales,
              .orders = data->sales};
}

absl::StatusOr<import::MovieLensPaths> MovieLensPathsFromFlags() {
  const std::string directory = absl::GetFlag(FLAGS_csv);
  const std::string ratings = absl::GetFlag(FLAGS_ratings);
  const std::string movies = absl::GetFlag(FLAGS_movies);
  if (directory.empty() == (ratings.empty() && movies.empty())) {
    return absl::InvalidArgumentError(
        "give either --csv=<directory with ratings.csv and movies.csv> or "
        "--ratings and --movies (see --help)");
  }
  if (!directory.empty()) return import::PathsInDirectory(directory);
  if (ratings.empty() || movies.empty()) {
    return absl::InvalidArgumentError(
        "--ratings and --movies go together (or give the directory in --csv)");
  }
  return import::MovieLensPaths{.ratings = ratings, .movies = movies};
}

absl::StatusOr<Plan> ReadMovieLens(std::ostream& out) {
  absl::StatusOr<import::MovieLensPaths> paths = MovieLensPathsFromFlags();
  if (!paths.ok()) return paths.status();
  out << "Reading " << paths->movies << " and " << paths->ratings << "\n"
      << std::flush;
  absl::StatusOr<import::MovieLensData> data =
      import::LoadMovieLens(*paths, absl::GetFlag(FLAGS_row_limit));
  if (!data.ok()) return InputError(data.status());
  import::MovieLensImport mapped = import::BuildMovieLensImport(*data);
  out << absl::StreamFormat(
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
      mapped.catalog.products.size(), import::kPurchaseRating,
      import::kPurchaseRating, mapped.events.size());
  Plan plan{
      .inputs = {{"movies.csv rows", data->movie_rows, data->movies_skipped},
                 {"ratings.csv rows", data->rating_rows,
                  data->ratings_skipped}},
      .categories = std::move(mapped.catalog.categories),
      .products = std::move(mapped.catalog.products),
      .events = std::move(mapped.events),
      .event_rows = std::move(mapped.event_rows),
      .views = mapped.views,
      .orders = mapped.orders};
  if (mapped.skipped.total() > 0) {
    plan.inputs.push_back({"ratings without events", 0, mapped.skipped});
  }
  return plan;
}

void PrintInputs(std::ostream& out, const Plan& plan) {
  for (const InputRows& input : plan.inputs) {
    if (input.rows > 0 || input.skipped.total() == 0) {
      PrintCount(out, absl::StrCat(input.label, " read"), input.rows);
    }
    PrintCount(out, absl::StrCat(input.label, " skipped"),
               input.skipped.total());
    for (const SkipTally::Group& group : input.skipped.groups()) {
      out << absl::StreamFormat("      %6d  %s\n", group.count, group.reason);
      for (const std::string& example : group.examples) {
        out << "              e.g. " << example << "\n";
      }
    }
  }
}

// Sends `plan` (unless --dry_run) and prints the summary.
absl::Status Send(const Plan& plan, std::ostream& out) {
  const bool dry_run = absl::GetFlag(FLAGS_dry_run);
  Uploaded uploaded;
  if (!dry_run) {
    absl::StatusOr<Uploaded> sent =
        Upload(CatalogToSend{plan.categories, plan.products}, plan.events, out);
    if (!sent.ok()) return sent.status();
    uploaded = *std::move(sent);
  }
  out << "\nSummary" << (dry_run ? " (dry run: nothing was sent)" : "") << "\n";
  PrintInputs(out, plan);
  if (dry_run) {
    PrintCount(out, "categories to upsert",
               static_cast<int64_t>(plan.categories.size()));
    PrintCount(out, "products to upsert",
               static_cast<int64_t>(plan.products.size()));
    PrintCount(out, "events to send", static_cast<int64_t>(plan.events.size()));
    return absl::OkStatus();
  }
  PrintCount(out, "categories upserted", uploaded.catalog->categories);
  PrintCount(out, "products upserted", uploaded.catalog->products);
  PrintEventTotals(
      out, *uploaded.events, static_cast<int64_t>(plan.events.size()),
      absl::StrFormat("%d VIEW_PRODUCT + %d ORDER_PLACED ", plan.views,
                      plan.orders),
      [&](size_t index) {
        return absl::StrCat(
            "row ",
            index < plan.event_rows.size() ? plan.event_rows[index] : -1, ", ",
            index < plan.events.size()
                ? smartshop::v1::InteractionType_Name(plan.events[index].type())
                : "?");
      });
  if (uploaded.events->rejected > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the service rejected ", uploaded.events->rejected,
                     " event(s); see the summary"));
  }
  return absl::OkStatus();
}

absl::Status ReadAndSend(absl::StatusOr<Plan> (*read)(std::ostream&),
                         std::ostream& out) {
  if (absl::GetFlag(FLAGS_row_limit) < 0) {
    return absl::InvalidArgumentError("--limit must be >= 0 (0 = all rows)");
  }
  if (absl::Status flags = CheckUploadFlags(); !flags.ok()) return flags;
  absl::StatusOr<Plan> plan = read(out);
  if (!plan.ok()) return plan.status();
  return Send(*plan, out);
}

}  // namespace

absl::Status RunImportRetail(const Invocation& /*invocation*/,
                             std::ostream& out) {
  return ReadAndSend(ReadRetail, out);
}

absl::Status RunImportMovieLens(const Invocation& /*invocation*/,
                                std::ostream& out) {
  return ReadAndSend(ReadMovieLens, out);
}

}  // namespace smartshop::cli
