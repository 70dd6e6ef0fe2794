#include "common/storage_error.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StorageErrorTest, KeepsTheCodeAndDropsTheDatabaseText) {
  const absl::Status detailed = absl::InvalidArgumentError(
      "postgres 22008: ERROR:  date/time field value out of range: "
      "\"49-01-01\" HINT: Perhaps you need a different \"datestyle\"");
  const absl::Status reply = StorageErrorForCaller(detailed, "insert");
  EXPECT_EQ(reply.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reply.message(), "storage: rejected");
  EXPECT_THAT(std::string(reply.message()), Not(HasSubstr("postgres")));
}

TEST(StorageErrorTest, NamesEachRetryableCodeGenerically) {
  EXPECT_EQ(StorageErrorForCaller(absl::UnavailableError(
                                      "postgres connection lost: server closed "
                                      "the connection unexpectedly"),
                                  "list")
                .message(),
            "storage: unavailable");
  EXPECT_EQ(StorageErrorForCaller(absl::DeadlineExceededError(
                                      "postgres 57014: ERROR: canceling "
                                      "statement due to statement timeout"),
                                  "list")
                .code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(StorageErrorForCaller(
                absl::InternalError("postgres 42P01: ERROR: "
                                    "relation \"x\" does not exist"),
                "list")
                .message(),
            "storage: internal error");
  EXPECT_TRUE(StorageErrorForCaller(absl::OkStatus(), "list").ok());
}

}  // namespace
}  // namespace smartshop
