// The importers read files from anywhere: CSV records of any shape, then
// Online Retail and MovieLens rows. Nothing may crash; bad rows are issues.
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

#include "tools/import/csv_reader.h"
#include "tools/import/movielens.h"
#include "tools/import/retail_row.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace smartshop::import;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  CsvReader reader(&in);
  std::vector<std::string> fields;
  std::optional<RetailColumns> retail;
  std::optional<RatingColumns> ratings;
  std::optional<MovieColumns> movies;
  bool header = true;
  int64_t row = 0;
  for (int records = 0; records < 10'000; ++records) {
    absl::StatusOr<bool> next = reader.Next(fields);
    if (!next.ok()) {
      if (next.status().code() == absl::StatusCode::kDataLoss) break;
      continue;  // a malformed record: skipped, as the importers do
    }
    if (!*next) break;
    if (header) {
      header = false;
      if (auto c = FindColumns(fields); c.ok()) retail = *c;
      if (auto c = FindRatingColumns(fields); c.ok()) ratings = *c;
      if (auto c = FindMovieColumns(fields); c.ok()) movies = *c;
      continue;
    }
    ++row;
    if (retail) (void)ParseRow(*retail, fields, row);
    if (ratings) (void)ParseRatingRow(*ratings, fields, row);
    if (movies) (void)ParseMovieRow(*movies, fields);
  }
  return 0;
}
