#include "common/pg_array.h"

#include "gtest/gtest.h"

namespace smartshop {
namespace {

TEST(PgArrayBuilderTest, EmptyArray) {
  EXPECT_EQ(PgArrayBuilder().Finish(), "{}");
}

TEST(PgArrayBuilderTest, QuotesAndEscapesText) {
  PgArrayBuilder builder;
  builder.Add("plain");
  builder.Add(R"(say "hi" \ bye)");
  builder.Add("a,b{c}");
  EXPECT_EQ(std::move(builder).Finish(),
            R"({"plain","say \"hi\" \\ bye","a,b{c}"})");
}

TEST(PgArrayBuilderTest, NumbersAndNulls) {
  PgArrayBuilder builder;
  builder.Add(int64_t{-5});
  builder.AddNull();
  builder.Add(std::optional<int64_t>(7));
  builder.Add(std::optional<int64_t>());
  EXPECT_EQ(std::move(builder).Finish(), "{-5,NULL,7,NULL}");
}

}  // namespace
}  // namespace smartshop
