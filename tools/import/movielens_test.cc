#include "tools/import/movielens.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::import {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

const SkipTally::Group* FindMovieLensGroup(const SkipTally& tally,
                                           absl::string_view reason) {
  for (const auto& group : tally.groups()) {
    if (group.reason == reason) return &group;
  }
  return nullptr;
}

TEST(MovieLensColumnsTest, FindsColumnsInAnyOrder) {
  auto columns =
      FindRatingColumns({"timestamp", "rating", "movieId", "userId"});
  ASSERT_TRUE(columns.ok()) << columns.status();
  EXPECT_EQ(columns->timestamp, 0);
  EXPECT_EQ(columns->rating, 1);
  EXPECT_EQ(columns->movie_id, 2);
  EXPECT_EQ(columns->user_id, 3);
  EXPECT_EQ(columns->field_count, 4);
}

TEST(MovieLensColumnsTest, NamesMissingAndRepeatedColumns) {
  auto ratings = FindRatingColumns({"movieId", "title", "genres"});
  EXPECT_EQ(ratings.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(ratings.status().message(),
              HasSubstr("missing columns userId, rating, timestamp"));
  EXPECT_THAT(ratings.status().message(),
              HasSubstr("the header is: movieId,title,genres"));
  auto movies = FindMovieColumns({"movieId", "title", "genres", "title"});
  EXPECT_EQ(movies.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(movies.status().message(), HasSubstr("repeated column(s) title"));
}

TEST(MovieLensRowTest, ParsesAMovieAndKeepsItsFirstGenre) {
  const MovieColumns columns{
      .movie_id = 0, .title = 1, .genres = 2, .field_count = 3};
  auto parsed = ParseMovieRow(
      columns, {"11", "American President, The (1995)", "Comedy|Drama"});
  ASSERT_TRUE(std::holds_alternative<MovieLensMovie>(parsed));
  const auto& movie = std::get<MovieLensMovie>(parsed);
  EXPECT_EQ(movie.movie_id, 11);
  EXPECT_EQ(movie.title, "American President, The (1995)");
  EXPECT_EQ(movie.genre, "Comedy");

  auto no_genre = ParseMovieRow(columns, {"12", "Untitled", ""});
  ASSERT_TRUE(std::holds_alternative<MovieLensMovie>(no_genre));
  EXPECT_EQ(std::get<MovieLensMovie>(no_genre).genre, kNoGenre);
}

TEST(MovieLensRowTest, SaysWhyAMovieRowIsSkipped) {
  const MovieColumns columns{
      .movie_id = 0, .title = 1, .genres = 2, .field_count = 3};
  auto bad_id = ParseMovieRow(columns, {"x", "T", "Drama"});
  ASSERT_TRUE(std::holds_alternative<RowIssue>(bad_id));
  EXPECT_EQ(std::get<RowIssue>(bad_id).reason, "bad movieId");
  auto no_title = ParseMovieRow(columns, {"3", " ", "Drama"});
  EXPECT_EQ(std::get<RowIssue>(no_title).reason, "bad title");
  auto short_row = ParseMovieRow(columns, {"3", "T"});
  EXPECT_EQ(std::get<RowIssue>(short_row).reason, "wrong number of fields");
}

TEST(MovieLensRowTest, ParsesARating) {
  const RatingColumns columns{.user_id = 0,
                              .movie_id = 1,
                              .rating = 2,
                              .timestamp = 3,
                              .field_count = 4};
  auto parsed = ParseRatingRow(columns, {"1", "31", "2.5", "964982703"}, 7);
  ASSERT_TRUE(std::holds_alternative<MovieLensRating>(parsed));
  const auto& rating = std::get<MovieLensRating>(parsed);
  EXPECT_EQ(rating.user_id, 1);
  EXPECT_EQ(rating.movie_id, 31);
  EXPECT_EQ(rating.rating, 2.5);
  EXPECT_EQ(rating.timestamp, 964982703);
  EXPECT_EQ(rating.row, 7);
  EXPECT_FALSE(IsPurchase(rating));
  EXPECT_TRUE(IsPurchase({.rating = 4.0}));
}

TEST(MovieLensRowTest, SaysWhyARatingRowIsSkipped) {
  const RatingColumns columns{.user_id = 0,
                              .movie_id = 1,
                              .rating = 2,
                              .timestamp = 3,
                              .field_count = 4};
  auto reason = [&](std::vector<std::string> fields) {
    auto parsed = ParseRatingRow(columns, fields, 1);
    return std::holds_alternative<RowIssue>(parsed)
               ? std::get<RowIssue>(parsed).reason
               : "";
  };
  EXPECT_EQ(reason({"0", "1", "4", "1"}), "bad userId");
  EXPECT_EQ(reason({"1", "-3", "4", "1"}), "bad movieId");
  EXPECT_EQ(reason({"1", "1", "5.5", "1"}), "bad rating");
  EXPECT_EQ(reason({"1", "1", "0", "1"}), "bad rating");
  EXPECT_EQ(reason({"1", "1", "nan", "1"}), "bad rating");
  EXPECT_EQ(reason({"1", "1", "4", "yesterday"}), "bad timestamp");
  EXPECT_EQ(reason({"1", "1", "4"}), "wrong number of fields");
}

TEST(MovieLensReadTest, CountsEverySkippedRowByReason) {
  MovieLensData data;
  std::istringstream movies(
      "movieId,title,genres\n"
      "1,Toy Story (1995),Adventure|Animation\n"
      "2,\"Jumanji, The (1995)\",Adventure|Children\n"
      "2,Jumanji again,Drama\n"
      "x,Bad,Drama\n");
  ASSERT_TRUE(ReadMovies(movies, data).ok());
  EXPECT_EQ(data.movie_rows, 4);
  EXPECT_THAT(
      data.movies,
      ElementsAre(Field(&MovieLensMovie::title, "Toy Story (1995)"),
                  Field(&MovieLensMovie::title, "Jumanji, The (1995)")));
  EXPECT_EQ(data.movies_skipped.total(), 2);
  ASSERT_NE(FindMovieLensGroup(data.movies_skipped,
                               "repeated movieId (the first row is kept)"),
            nullptr);

  std::istringstream ratings(
      "userId,movieId,rating,timestamp\n"
      "1,1,4.0,100\n"
      "1,3,4.0,101\n"     // unknown movie
      "1,2,\"4\"x,102\n"  // malformed CSV
      "2,2,3.5,103\n"
      "2,2,six,104\n");
  ASSERT_TRUE(ReadRatings(ratings, data).ok());
  EXPECT_EQ(data.rating_rows, 5);
  EXPECT_THAT(data.ratings, ElementsAre(Field(&MovieLensRating::row, 1),
                                        Field(&MovieLensRating::row, 4)));
  EXPECT_EQ(data.ratings_skipped.total(), 3);
  const auto* unknown =
      FindMovieLensGroup(data.ratings_skipped, "movieId not in movies.csv");
  ASSERT_NE(unknown, nullptr);
  EXPECT_THAT(unknown->examples, ElementsAre("row 2: movieId 3"));
  EXPECT_NE(FindMovieLensGroup(data.ratings_skipped, "malformed CSV"), nullptr);
  EXPECT_NE(FindMovieLensGroup(data.ratings_skipped, "bad rating"), nullptr);
}

TEST(MovieLensReadTest, RejectsAFileOfAnotherShape) {
  MovieLensData data;
  std::istringstream movies("movieId,title,genres\n1,A,Drama\n");
  ASSERT_TRUE(ReadMovies(movies, data).ok());
  std::istringstream swapped("movieId,title,genres\n1,A,Drama\n");
  absl::Status status = ReadRatings(swapped, data);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("missing columns userId"));
  std::istringstream empty("");
  EXPECT_EQ(ReadMovies(empty, data).code(), absl::StatusCode::kInvalidArgument);
}

TEST(MovieLensCatalogTest, OneCategoryPerFirstGenreSortedByName) {
  const MovieLensCatalog catalog = BuildMovieLensCatalog({
      {.movie_id = 5, .title = "E", .genre = "Drama"},
      {.movie_id = 2, .title = "B", .genre = "Comedy"},
      {.movie_id = 9, .title = "I", .genre = "Drama"},
  });
  ASSERT_EQ(catalog.categories.size(), 2u);
  EXPECT_EQ(catalog.categories[0].id(), 1);
  EXPECT_EQ(catalog.categories[0].name(), "Comedy");
  EXPECT_EQ(catalog.categories[1].id(), 2);
  EXPECT_EQ(catalog.categories[1].name(), "Drama");
  ASSERT_EQ(catalog.products.size(), 3u);
  const auto& first = catalog.products[0];
  EXPECT_EQ(first.id(), 5);
  EXPECT_EQ(first.name(), "E");
  EXPECT_EQ(first.category_id(), 2);
  EXPECT_EQ(first.category_name(), "Drama");
  EXPECT_TRUE(first.is_active());
  EXPECT_FALSE(first.has_stock());
  EXPECT_EQ(first.units_sold(), 0);
  EXPECT_EQ(catalog.products[1].category_id(), 1);
}

}  // namespace
}  // namespace smartshop::import
