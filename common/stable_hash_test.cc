#include "common/stable_hash.h"

#include "gtest/gtest.h"

namespace smartshop {
namespace {

TEST(StableHash64Test, IsTheFirstBytesOfTheSha256) {
  // SHA-256("abc") = ba7816bf 8f01cfea ...: the same in every process.
  EXPECT_EQ(StableHash64("abc"), 0xba7816bf8f01cfeaULL);
  EXPECT_NE(StableHash64("abd"), StableHash64("abc"));
}

}  // namespace
}  // namespace smartshop
