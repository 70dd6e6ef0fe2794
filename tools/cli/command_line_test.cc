#include "tools/cli/command_line.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/cli/flags.h"

namespace smartshop::cli {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Status Ignore(const Invocation&, std::ostream&) {
  return absl::OkStatus();
}

// A command over the real flags, with an alias and a help override.
const Command& TestCommand() {
  static const Command* const kCommand =
      new Command{"probe",
                  "a command for tests",
                  "probe [--product_id=N]\n\nDoes nothing.",
                  {{"tracking"},
                   {"product_id"},
                   {"all"},
                   {"timeout"},
                   {"json", "event_json", "the event as JSON, here"}},
                  Ignore};
  return *kCommand;
}

class CommandLineTest : public ::testing::Test {
 protected:
  absl::StatusOr<Invocation> Parse(std::vector<std::string> args) {
    return ParseCommandArgs(TestCommand(), args);
  }

 private:
  absl::FlagSaver saver_;  // each test starts from the defaults
};

TEST_F(CommandLineTest, SetsFlagsGivenWithEqualsOrAsTheNextArgument) {
  absl::StatusOr<Invocation> invocation =
      Parse({"--tracking=10.0.0.1:9", "-product_id", "42", "--timeout=2s"});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(absl::GetFlag(FLAGS_tracking), "10.0.0.1:9");
  EXPECT_EQ(absl::GetFlag(FLAGS_product_id), 42);
  EXPECT_EQ(absl::GetFlag(FLAGS_timeout), absl::Seconds(2));
  EXPECT_TRUE(invocation->Given("product_id"));
  EXPECT_FALSE(invocation->Given("all"));
  EXPECT_FALSE(invocation->help);
}

TEST_F(CommandLineTest, AcceptsTheBoolForms) {
  ASSERT_TRUE(Parse({"--all"}).ok());
  EXPECT_TRUE(absl::GetFlag(FLAGS_all));
  ASSERT_TRUE(Parse({"--noall"}).ok());
  EXPECT_FALSE(absl::GetFlag(FLAGS_all));
  ASSERT_TRUE(Parse({"--all=true"}).ok());
  EXPECT_TRUE(absl::GetFlag(FLAGS_all));
  EXPECT_EQ(Parse({"--noall=true"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CommandLineTest, MapsALocalNameOntoItsFlag) {
  absl::StatusOr<Invocation> invocation = Parse({"--json={\"userId\":\"1\"}"});
  ASSERT_TRUE(invocation.ok()) << invocation.status();
  EXPECT_EQ(absl::GetFlag(FLAGS_event_json), "{\"userId\":\"1\"}");
  EXPECT_TRUE(invocation->Given("event_json"));
  EXPECT_FALSE(absl::GetFlag(FLAGS_json));
}

TEST_F(CommandLineTest, RefusesAFlagOfAnotherCommandListingItsOwn) {
  absl::StatusOr<Invocation> invocation = Parse({"--catalog=x.csv"});
  EXPECT_EQ(invocation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invocation.status().message(),
              AllOf(HasSubstr("unknown flag --catalog"),
                    HasSubstr("--tracking, --product_id, --all")));
}

TEST_F(CommandLineTest, RefusesABadValueNamingTheFlag) {
  absl::StatusOr<Invocation> invocation = Parse({"--product_id=seven"});
  EXPECT_EQ(invocation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invocation.status().message(), HasSubstr("--product_id=seven"));
  EXPECT_EQ(absl::GetFlag(FLAGS_product_id), 0);
}

TEST_F(CommandLineTest, RefusesAMissingValue) {
  absl::StatusOr<Invocation> invocation = Parse({"--product_id"});
  EXPECT_EQ(invocation.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(invocation.status().message(), HasSubstr("needs a value"));
}

TEST_F(CommandLineTest, RefusesPositionalArguments) {
  EXPECT_THAT(Parse({"events.jsonl"}).status().message(),
              HasSubstr("unexpected argument \"events.jsonl\""));
  EXPECT_THAT(Parse({"--", "x"}).status().message(),
              HasSubstr("unexpected argument \"x\""));
  EXPECT_TRUE(Parse({"--all", "--"}).ok());
}

TEST_F(CommandLineTest, HelpWinsOverWhatFollows) {
  for (const char* help : {"--help", "-h", "--helpfull"}) {
    absl::StatusOr<Invocation> invocation =
        Parse({"--all", help, "--no_such_flag"});
    ASSERT_TRUE(invocation.ok()) << help << ": " << invocation.status();
    EXPECT_TRUE(invocation->help) << help;
  }
}

TEST_F(CommandLineTest, HelpListsOnlyTheCommandsFlags) {
  const std::string help = CommandHelp("smartshop", TestCommand());
  EXPECT_THAT(help, HasSubstr("Usage: smartshop probe [--product_id=N]"));
  EXPECT_THAT(help,
              HasSubstr("--tracking (string, default \"127.0.0.1:50051\")"));
  EXPECT_THAT(help, HasSubstr("--product_id (int, default 0)"));
  EXPECT_THAT(help, HasSubstr("--timeout (duration, default 10s)"));
  EXPECT_THAT(help, HasSubstr("--json (string, default \"\")\n      the event "
                              "as JSON, here"));
  EXPECT_THAT(help, Not(HasSubstr("--catalog")));
  EXPECT_THAT(help, Not(HasSubstr("event_json")));
}

TEST(ExitCodeTest, IsTwoOnlyForInvalidArgument) {
  EXPECT_EQ(ExitCode(absl::OkStatus()), 0);
  EXPECT_EQ(ExitCode(absl::InvalidArgumentError("x")), 2);
  EXPECT_EQ(ExitCode(absl::UnavailableError("x")), 1);
  EXPECT_EQ(ExitCode(absl::DeadlineExceededError("x")), 1);
  EXPECT_EQ(ExitCode(absl::NotFoundError("x")), 1);
}

}  // namespace
}  // namespace smartshop::cli
