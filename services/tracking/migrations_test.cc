#include "services/tracking/migrations.h"

#include "gtest/gtest.h"

namespace smartshop::tracking {
namespace {

TEST(ParseMigrationsTest, ParsesVersionsInOrder) {
  auto parsed =
      ParseMigrations({{"0001_initial.sql", "A"}, {"0002_more.sql", "B"}});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].version, 2);
  EXPECT_EQ((*parsed)[1].name, "more");
  EXPECT_EQ((*parsed)[1].sql, "B");
}

TEST(ParseMigrationsTest, RejectsGapsAndBadNames) {
  EXPECT_EQ(ParseMigrations({{"0002_skip.sql", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMigrations({{"1_short.sql", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseMigrations({{"0001_x.txt", ""}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseMigrationsTest, EmbeddedMigrationsAreWellFormed) {
  auto parsed = ParseMigrations(EmbeddedMigrations());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_FALSE(parsed->empty());
  EXPECT_NE((*parsed)[0].sql.find("CREATE TABLE interactions"),
            std::string::npos);
  ASSERT_GE(parsed->size(), 4u);
  EXPECT_EQ((*parsed)[3].name, "merchandising_rules");
  EXPECT_NE((*parsed)[3].sql.find("CREATE TABLE merchandising_rules"),
            std::string::npos);
}

}  // namespace
}  // namespace smartshop::tracking
