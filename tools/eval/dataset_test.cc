#include "tools/eval/dataset.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::eval {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("eval_dataset_test_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::filesystem::path dir_;
};

constexpr char kMovies[] =
    "movieId,title,genres\n"
    "1,Toy Story (1995),Adventure|Animation|Children\n"
    "11,\"American President, The (1995)\",Comedy|Drama|Romance\n"
    "12,Dracula: Dead and Loving It (1995),Comedy|Horror\n"
    "13,,Drama\n";  // no title: skipped

TEST_F(DatasetTest, LoadsBothFilesAndCountsSkippedRows) {
  const std::string movies = Write("movies.csv", kMovies);
  const std::string ratings =
      Write("ratings.csv",
            "userId,movieId,rating,timestamp\n"
            "1,1,4.0,964982703\n"
            "1,11,3.5,964981247\n"
            "2,12,5.0,964982224\n"
            "2,13,5.0,964982225\n"  // movie skipped above: not in the catalog
            "2,99,5.0,964982226\n"  // not in movies.csv at all
            "3,1,,964982227\n"      // no rating
            "3,1,4.0\n");           // short row
  absl::StatusOr<Dataset> dataset =
      LoadDataset({.ratings = ratings, .movies = movies});
  ASSERT_TRUE(dataset.ok()) << dataset.status();
  EXPECT_EQ(dataset->data.movie_rows, 4);
  EXPECT_EQ(dataset->data.movies.size(), 3u);
  EXPECT_EQ(dataset->data.movies_skipped.total(), 1);
  EXPECT_EQ(dataset->data.rating_rows, 7);
  EXPECT_EQ(dataset->data.ratings.size(), 3u);
  EXPECT_EQ(dataset->data.ratings_skipped.total(), 4);
  EXPECT_EQ(dataset->users, 2);
  // Comedy, Adventure: two categories; the quoted title keeps its comma.
  EXPECT_EQ(dataset->catalog.categories.size(), 2u);
  ASSERT_EQ(dataset->catalog.products.size(), 3u);
  EXPECT_EQ(dataset->catalog.products[1].name(),
            "American President, The (1995)");
  EXPECT_EQ(dataset->catalog.products[1].category_name(), "Comedy");

  const std::string report = absl::StrJoin(DescribeLoad(*dataset), "\n");
  EXPECT_THAT(report, HasSubstr("7 data rows, 4 skipped"));
  EXPECT_THAT(report, HasSubstr("2  movieId not in movies.csv"));
  EXPECT_THAT(report, HasSubstr("1  bad rating"));
  EXPECT_THAT(report, HasSubstr("1  wrong number of fields"));
  EXPECT_THAT(report, HasSubstr("4 data rows, 1 skipped"));
  EXPECT_THAT(report, HasSubstr("1  bad title"));
}

TEST_F(DatasetTest, RejectsFilesWithoutTheColumns) {
  const std::string movies = Write("movies.csv", kMovies);
  // The two files swapped.
  absl::StatusOr<Dataset> swapped =
      LoadDataset({.ratings = movies, .movies = movies});
  EXPECT_EQ(swapped.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(swapped.status().message(),
              HasSubstr("missing columns userId, rating, timestamp"));
  EXPECT_THAT(swapped.status().message(), HasSubstr(movies));

  const std::string tags =
      Write("tags.csv", "userId,movieId,tag,timestamp\n2,1,funny,1\n");
  absl::StatusOr<Dataset> wrong =
      LoadDataset({.ratings = tags, .movies = movies});
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(), HasSubstr("missing column rating"));
}

TEST_F(DatasetTest, MissingFileIsNotFound) {
  const std::string movies = Write("movies.csv", kMovies);
  absl::StatusOr<Dataset> dataset =
      LoadDataset({.ratings = (dir_ / "nope.csv").string(), .movies = movies});
  EXPECT_EQ(dataset.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(dataset.status().message(), HasSubstr("nope.csv"));
}

}  // namespace
}  // namespace smartshop::eval
