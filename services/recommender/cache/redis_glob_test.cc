#include "services/recommender/cache/redis_glob.h"

#include <string>

#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

TEST(EscapeRedisGlobTest, LeavesOrdinaryTextAlone) {
  EXPECT_EQ(EscapeRedisGlob("rec:v1:user:42"), "rec:v1:user:42");
  EXPECT_EQ(EscapeRedisGlob(""), "");
}

TEST(EscapeRedisGlobTest, EscapesEveryMetacharacter) {
  EXPECT_EQ(EscapeRedisGlob("a*b?c[d]e\\f"), "a\\*b\\?c\\[d\\]e\\\\f");
  // Special only inside a class, which can no longer open.
  EXPECT_EQ(EscapeRedisGlob("^-!"), "^-!");
}

TEST(EscapeRedisGlobTest, IsBinarySafe) {
  const std::string with_nul("a\0*", 3);
  EXPECT_EQ(EscapeRedisGlob(with_nul), std::string("a\0\\*", 4));
}

TEST(RedisPrefixPatternTest, AppendsAnUnescapedStar) {
  EXPECT_EQ(RedisPrefixPattern("rec:*"), "rec:\\**");
}

}  // namespace
}  // namespace smartshop::recommender
