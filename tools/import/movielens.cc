#include "tools/import/movielens.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "tools/import/catalog_builder.h"
#include "tools/import/csv_reader.h"

namespace smartshop::import {
namespace {

constexpr double kMinStars = 0.5;
constexpr double kMaxStars = 5.0;

std::optional<int64_t> PositiveId(absl::string_view text) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id <= 0) return std::nullopt;
  return id;
}

RowIssue BadMovieLensValue(absl::string_view column, std::string detail) {
  return RowIssue{absl::StrCat("bad ", column), std::move(detail)};
}

// Reads the header and at most `limit` data rows of `in` (0 = all), passing
// each to `row_fn` (columns, fields, data row number); malformed CSV rows
// are counted in `skipped`.
template <typename Columns, typename RowFn>
absl::Status ReadCsv(
    std::istream& in,
    absl::StatusOr<Columns> (*find)(const std::vector<std::string>&),
    int64_t limit, int64_t& rows, SkipTally& skipped, RowFn row_fn) {
  CsvReader reader(&in);
  std::vector<std::string> fields;
  absl::StatusOr<bool> got = reader.Next(fields);
  if (!got.ok()) return got.status();
  if (!*got) return absl::InvalidArgumentError("the CSV input is empty");
  absl::StatusOr<Columns> columns = find(fields);
  if (!columns.ok()) return columns.status();
  for (int64_t read = 0; limit == 0 || read < limit; ++read) {
    got = reader.Next(fields);
    if (!got.ok() &&
        got.status().code() != absl::StatusCode::kInvalidArgument) {
      return got.status();
    }
    if (got.ok() && !*got) return absl::OkStatus();
    const int64_t row = ++rows;
    if (!got.ok()) {
      skipped.Add(
          row, RowIssue{"malformed CSV", std::string(got.status().message())});
      continue;
    }
    row_fn(*columns, fields, row);
  }
  return absl::OkStatus();
}

absl::Status InFile(const std::string& path, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat(path, ": ", status.message()));
}

}  // namespace

absl::StatusOr<MovieColumns> FindMovieColumns(
    const std::vector<std::string>& header) {
  MovieColumns columns;
  absl::Status found = LocateColumns(header, {{"movieId", &columns.movie_id},
                                              {"title", &columns.title},
                                              {"genres", &columns.genres}});
  if (!found.ok()) return found;
  columns.field_count = static_cast<int>(header.size());
  return columns;
}

absl::StatusOr<RatingColumns> FindRatingColumns(
    const std::vector<std::string>& header) {
  RatingColumns columns;
  absl::Status found =
      LocateColumns(header, {{"userId", &columns.user_id},
                             {"movieId", &columns.movie_id},
                             {"rating", &columns.rating},
                             {"timestamp", &columns.timestamp}});
  if (!found.ok()) return found;
  columns.field_count = static_cast<int>(header.size());
  return columns;
}

std::variant<MovieLensMovie, RowIssue> ParseMovieRow(
    const MovieColumns& columns, const std::vector<std::string>& fields) {
  if (auto issue = WrongFieldCount(fields, columns.field_count)) return *issue;
  auto field = [&](int position) {
    return absl::StripAsciiWhitespace(fields[position]);
  };
  MovieLensMovie movie;
  const absl::string_view id = field(columns.movie_id);
  const std::optional<int64_t> movie_id = PositiveId(id);
  if (!movie_id) {
    return BadMovieLensValue(
        "movieId", absl::StrCat(ShowValue(id), " is not a positive integer"));
  }
  movie.movie_id = *movie_id;
  movie.title = std::string(field(columns.title));
  if (movie.title.empty()) return BadMovieLensValue("title", "empty");
  const absl::string_view genres = field(columns.genres);
  movie.genre = std::string(
      absl::StripAsciiWhitespace(genres.substr(0, genres.find('|'))));
  if (movie.genre.empty()) movie.genre = kNoGenre;
  return movie;
}

std::variant<MovieLensRating, RowIssue> ParseRatingRow(
    const RatingColumns& columns, const std::vector<std::string>& fields,
    int64_t row) {
  if (auto issue = WrongFieldCount(fields, columns.field_count)) return *issue;
  auto field = [&](int position) {
    return absl::StripAsciiWhitespace(fields[position]);
  };
  MovieLensRating rating;
  rating.row = row;
  const absl::string_view user = field(columns.user_id);
  const std::optional<int64_t> user_id = PositiveId(user);
  if (!user_id) {
    return BadMovieLensValue(
        "userId", absl::StrCat(ShowValue(user), " is not a positive integer"));
  }
  rating.user_id = *user_id;
  const absl::string_view movie = field(columns.movie_id);
  const std::optional<int64_t> movie_id = PositiveId(movie);
  if (!movie_id) {
    return BadMovieLensValue(
        "movieId",
        absl::StrCat(ShowValue(movie), " is not a positive integer"));
  }
  rating.movie_id = *movie_id;
  const absl::string_view stars = field(columns.rating);
  if (!absl::SimpleAtod(stars, &rating.rating) ||
      !std::isfinite(rating.rating) || rating.rating < kMinStars ||
      rating.rating > kMaxStars) {
    return BadMovieLensValue(
        "rating", absl::StrCat(ShowValue(stars), " is not a number from ",
                               kMinStars, " to ", kMaxStars));
  }
  const absl::string_view time = field(columns.timestamp);
  if (!absl::SimpleAtoi(time, &rating.timestamp) || rating.timestamp < 0) {
    return BadMovieLensValue(
        "timestamp", absl::StrCat(ShowValue(time),
                                  " is not Unix seconds (an integer >= 0)"));
  }
  return rating;
}

absl::Status ReadMovies(std::istream& in, MovieLensData& data) {
  absl::flat_hash_set<int64_t> seen;
  for (const MovieLensMovie& movie : data.movies) seen.insert(movie.movie_id);
  return ReadCsv<MovieColumns>(
      in, &FindMovieColumns, /*limit=*/0, data.movie_rows, data.movies_skipped,
      [&](const MovieColumns& columns, const std::vector<std::string>& fields,
          int64_t row) {
        std::variant<MovieLensMovie, RowIssue> parsed =
            ParseMovieRow(columns, fields);
        if (const RowIssue* issue = std::get_if<RowIssue>(&parsed)) {
          data.movies_skipped.Add(row, *issue);
          return;
        }
        MovieLensMovie& movie = std::get<MovieLensMovie>(parsed);
        if (!seen.insert(movie.movie_id).second) {
          data.movies_skipped.Add(
              row, RowIssue{"repeated movieId (the first row is kept)",
                            absl::StrCat("movieId ", movie.movie_id)});
          return;
        }
        data.movies.push_back(std::move(movie));
      });
}

absl::Status ReadRatings(std::istream& in, MovieLensData& data, int64_t limit) {
  absl::flat_hash_set<int64_t> movies;
  for (const MovieLensMovie& movie : data.movies) movies.insert(movie.movie_id);
  return ReadCsv<RatingColumns>(
      in, &FindRatingColumns, limit, data.rating_rows, data.ratings_skipped,
      [&](const RatingColumns& columns, const std::vector<std::string>& fields,
          int64_t row) {
        std::variant<MovieLensRating, RowIssue> parsed =
            ParseRatingRow(columns, fields, row);
        if (const RowIssue* issue = std::get_if<RowIssue>(&parsed)) {
          data.ratings_skipped.Add(row, *issue);
          return;
        }
        const MovieLensRating& rating = std::get<MovieLensRating>(parsed);
        if (!movies.contains(rating.movie_id)) {
          data.ratings_skipped.Add(
              row, RowIssue{"movieId not in movies.csv",
                            absl::StrCat("movieId ", rating.movie_id)});
          return;
        }
        data.ratings.push_back(rating);
      });
}

MovieLensPaths PathsInDirectory(const std::string& directory) {
  std::string prefix = directory;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return {.ratings = prefix + "ratings.csv", .movies = prefix + "movies.csv"};
}

absl::StatusOr<MovieLensData> LoadMovieLens(const MovieLensPaths& paths,
                                            int64_t limit) {
  std::ifstream movies(paths.movies, std::ios::binary);
  if (!movies) {
    return absl::NotFoundError(
        absl::StrCat("cannot open ", paths.movies, ": ", std::strerror(errno)));
  }
  std::ifstream ratings(paths.ratings, std::ios::binary);
  if (!ratings) {
    return absl::NotFoundError(absl::StrCat("cannot open ", paths.ratings, ": ",
                                            std::strerror(errno)));
  }
  MovieLensData data;
  if (absl::Status s = InFile(paths.movies, ReadMovies(movies, data));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = InFile(paths.ratings, ReadRatings(ratings, data, limit));
      !s.ok()) {
    return s;
  }
  return data;
}

MovieLensCatalog BuildMovieLensCatalog(
    const std::vector<MovieLensMovie>& movies) {
  std::map<std::string, int64_t> category_ids;  // sorted by name
  for (const MovieLensMovie& movie : movies) category_ids[movie.genre] = 0;
  MovieLensCatalog catalog;
  for (auto& [name, id] : category_ids) {
    id = static_cast<int64_t>(catalog.categories.size()) + 1;
    smartshop::v1::Category& category = catalog.categories.emplace_back();
    category.set_id(id);
    category.set_name(TruncateUtf8(name, kMaxCatalogNameBytes));
  }
  catalog.products.reserve(movies.size());
  for (const MovieLensMovie& movie : movies) {
    smartshop::v1::Product& product = catalog.products.emplace_back();
    product.set_id(movie.movie_id);
    product.set_name(TruncateUtf8(movie.title, kMaxCatalogNameBytes));
    product.set_category_id(category_ids.at(movie.genre));
    product.set_category_name(TruncateUtf8(movie.genre, kMaxCatalogNameBytes));
    product.set_is_active(true);
  }
  return catalog;
}

}  // namespace smartshop::import
