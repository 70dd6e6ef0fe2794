// The MovieLens CSVs as GroupLens publishes them (ratings.csv: userId,
// movieId,rating,timestamp; movies.csv: movieId,title,genres): reading them
// with every skipped row accounted for, and the catalog that the import and
// the offline evaluation (tools/eval) both derive from them: one product per
// movie, id = movieId, in the category of its first genre.
#ifndef SMARTSHOP_TOOLS_IMPORT_MOVIELENS_H_
#define SMARTSHOP_TOOLS_IMPORT_MOVIELENS_H_

#include <cstdint>
#include <istream>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "smartshop/v1/catalog.pb.h"
#include "tools/import/skip_tally.h"

namespace smartshop::import {

// A rating of at least this many stars also counts as a purchase: the data
// has no purchases, and "liked it" is the nearest thing to "bought it".
inline constexpr double kPurchaseRating = 4.0;

// What movies.csv says when a movie has no genre; also used for an empty
// genres field, so that every product has a category.
inline constexpr char kNoGenre[] = "(no genres listed)";

struct MovieLensMovie {
  int64_t movie_id = 0;
  std::string title;  // as in the file, e.g. "American President, The (1995)"
  std::string genre;  // the first of the genres
};

struct MovieLensRating {
  int64_t user_id = 0;
  int64_t movie_id = 0;
  double rating = 0;      // 0.5 to 5 stars
  int64_t timestamp = 0;  // seconds since the Unix epoch, UTC
  int64_t row = 0;        // data row: 1 = the first row after the header
};

inline bool IsPurchase(const MovieLensRating& r) {
  return r.rating >= kPurchaseRating;
}

struct MovieLensData {
  std::vector<MovieLensMovie> movies;    // in file order
  std::vector<MovieLensRating> ratings;  // in file order
  int64_t movie_rows = 0;                // data rows, bad ones included
  int64_t rating_rows = 0;
  SkipTally movies_skipped;
  SkipTally ratings_skipped;
};

// Positions of the columns used; any order, other columns ignored.
struct MovieColumns {
  int movie_id = -1;
  int title = -1;
  int genres = -1;
  int field_count = 0;  // fields per row: the header's
};
struct RatingColumns {
  int user_id = -1;
  int movie_id = -1;
  int rating = -1;
  int timestamp = -1;
  int field_count = 0;
};

// Find the columns by exact name (surrounding spaces ignored).
// INVALID_ARGUMENT naming every missing or repeated column and the header.
absl::StatusOr<MovieColumns> FindMovieColumns(
    const std::vector<std::string>& header);
absl::StatusOr<RatingColumns> FindRatingColumns(
    const std::vector<std::string>& header);

// One data row, parsed, or why it is skipped.
std::variant<MovieLensMovie, RowIssue> ParseMovieRow(
    const MovieColumns& columns, const std::vector<std::string>& fields);
std::variant<MovieLensRating, RowIssue> ParseRatingRow(
    const RatingColumns& columns, const std::vector<std::string>& fields,
    int64_t row);

// Read movies.csv into `data.movies` (a repeated movieId is skipped, the
// first kept). INVALID_ARGUMENT when the input is not that file (empty, a
// column missing); DATA_LOSS when reading fails.
absl::Status ReadMovies(std::istream& in, MovieLensData& data);

// Read at most `limit` data rows (0 = all) of ratings.csv into
// `data.ratings`. Ratings of movies that are not in `data.movies` are
// skipped, so read the movies first. Errors as ReadMovies.
absl::Status ReadRatings(std::istream& in, MovieLensData& data,
                         int64_t limit = 0);

struct MovieLensPaths {
  std::string ratings;
  std::string movies;
};

// The two files of a MovieLens directory.
MovieLensPaths PathsInDirectory(const std::string& directory);

// Opens and reads both files, movies first (`limit` as for ReadRatings).
// NOT_FOUND when one cannot be opened; otherwise the errors of ReadMovies
// and ReadRatings. Messages name the file.
absl::StatusOr<MovieLensData> LoadMovieLens(const MovieLensPaths& paths,
                                            int64_t limit = 0);

struct MovieLensCatalog {
  std::vector<smartshop::v1::Category> categories;
  std::vector<smartshop::v1::Product> products;
};

// Categories: the distinct first genres by name, ids 1, 2, 3, ... Products:
// one per movie, id = movieId, name = title (cut to 255 bytes), category =
// its first genre (category_name set too), active, stock unset, price 0,
// units_sold 0: what counts as sold is the caller's to decide.
MovieLensCatalog BuildMovieLensCatalog(
    const std::vector<MovieLensMovie>& movies);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_MOVIELENS_H_
