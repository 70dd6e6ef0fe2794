// The data the offline evaluation runs on: a MovieLens ratings.csv and
// movies.csv (or any files of the same shape), read with every skipped row
// accounted for, and the catalog derived from the movies; or an Online
// Retail CSV, read as the import reads it.
#ifndef SMARTSHOP_TOOLS_EVAL_DATASET_H_
#define SMARTSHOP_TOOLS_EVAL_DATASET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/import/movielens.h"
#include "tools/import/retail_import.h"

namespace smartshop::eval {

// One rating: a VIEW_PRODUCT at its timestamp, and also an ORDER_PLACED when
// import::IsPurchase (rating >= 4).
using Rating = import::MovieLensRating;
using import::IsPurchase;

struct Dataset {
  import::MovieLensPaths paths;
  import::MovieLensData data;
  // Products (id = movieId, category = first genre) with units_sold 0: each
  // protocol counts its own training purchases.
  import::MovieLensCatalog catalog = {};
  int64_t users = 0;  // distinct userIds among the ratings kept
};

// Reads both files. NOT_FOUND when a file cannot be opened; INVALID_ARGUMENT
// when its header lacks a column (userId,movieId,rating,timestamp or
// movieId,title,genres); bad rows are counted, not errors.
absl::StatusOr<Dataset> LoadDataset(const import::MovieLensPaths& paths);

// What was read and what was skipped and why, one line each, for people.
std::vector<std::string> DescribeLoad(const Dataset& dataset);

struct RetailDataset {
  std::string path;
  // What the import would send (catalog, events), every skipped row
  // counted: cancellations, non-positive quantities, malformed rows.
  import::RetailImport read;
};

// Reads an Online Retail CSV with the import's reader (a real CSV parser:
// descriptions hold quoted commas). NOT_FOUND when the file cannot be
// opened; INVALID_ARGUMENT when it is not this dataset (see ReadRetailCsv);
// messages name the file.
absl::StatusOr<RetailDataset> LoadRetail(const std::string& path);

std::vector<std::string> DescribeLoad(const RetailDataset& dataset);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_DATASET_H_
