#include "common/pg_pool.h"

#include "gtest/gtest.h"

namespace smartshop {
namespace {

TEST(WithConnectTimeoutTest, AddsQueryParameterToUrl) {
  EXPECT_EQ(WithConnectTimeout("postgresql://u@h/db", absl::Seconds(3)),
            "postgresql://u@h/db?connect_timeout=3");
  EXPECT_EQ(WithConnectTimeout("postgresql://u@h/db?sslmode=disable",
                               absl::Milliseconds(1500)),
            "postgresql://u@h/db?sslmode=disable&connect_timeout=2");
}

TEST(WithConnectTimeoutTest, AppendsKeywordToKeyValueString) {
  EXPECT_EQ(WithConnectTimeout("host=h dbname=db", absl::Seconds(5)),
            "host=h dbname=db connect_timeout=5");
}

TEST(WithConnectTimeoutTest, KeepsAnExplicitTimeout) {
  EXPECT_EQ(WithConnectTimeout("host=h connect_timeout=9", absl::Seconds(5)),
            "host=h connect_timeout=9");
}

TEST(PgPoolTest, UnreachableDatabaseIsUnavailable) {
  // Port 1 on loopback: nothing listens there, so the connect fails fast.
  PgPool pool({.url = "postgresql://nobody@127.0.0.1:1/none", .size = 1});
  absl::Status status = pool.Ping(absl::Now() + absl::Seconds(5));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(pool.in_use(), 0);
}

}  // namespace
}  // namespace smartshop
