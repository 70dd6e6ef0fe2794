#include "tools/eval/dataset.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace smartshop::eval {
namespace {

void DescribeSkipped(const std::string& file, int64_t rows,
                     const import::SkipTally& skipped,
                     std::vector<std::string>& lines) {
  lines.push_back(absl::StrFormat("%s: %d data rows, %d skipped", file, rows,
                                  skipped.total()));
  for (const import::SkipTally::Group& group : skipped.groups()) {
    lines.push_back(absl::StrFormat("  %6d  %s", group.count, group.reason));
    for (const std::string& example : group.examples) {
      lines.push_back(absl::StrCat("          e.g. ", example));
    }
  }
}

}  // namespace

absl::StatusOr<Dataset> LoadDataset(const import::MovieLensPaths& paths) {
  absl::StatusOr<import::MovieLensData> data = import::LoadMovieLens(paths);
  if (!data.ok()) return data.status();
  Dataset dataset{.paths = paths, .data = *std::move(data)};
  dataset.catalog = import::BuildMovieLensCatalog(dataset.data.movies);
  absl::flat_hash_set<int64_t> users;
  for (const Rating& r : dataset.data.ratings) users.insert(r.user_id);
  dataset.users = static_cast<int64_t>(users.size());
  return dataset;
}

std::vector<std::string> DescribeLoad(const Dataset& dataset) {
  std::vector<std::string> lines;
  DescribeSkipped(dataset.paths.ratings, dataset.data.rating_rows,
                  dataset.data.ratings_skipped, lines);
  DescribeSkipped(dataset.paths.movies, dataset.data.movie_rows,
                  dataset.data.movies_skipped, lines);
  lines.push_back(absl::StrFormat(
      "%d ratings by %d users; %d products (movies) in %d categories (first "
      "genre); a rating >= %g is also a purchase",
      dataset.data.ratings.size(), dataset.users,
      dataset.catalog.products.size(), dataset.catalog.categories.size(),
      import::kPurchaseRating));
  return lines;
}

absl::StatusOr<RetailDataset> LoadRetail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  absl::StatusOr<import::RetailImport> read =
      import::ReadRetailCsv(in, /*limit=*/0);
  if (!read.ok()) {
    return absl::Status(read.status().code(),
                        absl::StrCat(path, ": ", read.status().message()));
  }
  return RetailDataset{.path = path, .read = *std::move(read)};
}

std::vector<std::string> DescribeLoad(const RetailDataset& dataset) {
  std::vector<std::string> lines;
  DescribeSkipped(dataset.path, dataset.read.rows_read, dataset.read.skipped,
                  lines);
  lines.push_back(absl::StrFormat(
      "%d sale lines; %d products (StockCodes), one category; a sale line is "
      "a view and a purchase",
      dataset.read.sales, dataset.read.catalog.size()));
  return lines;
}

}  // namespace smartshop::eval
