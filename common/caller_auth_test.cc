#include "common/caller_auth.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kShopToken[] = "shop-token-0123456789abcdef0123456789";
constexpr char kReaderToken[] = "reader-token-0123456789abcdef01234567";
constexpr char kRotatedToken[] = "shop-token-rotated-0123456789abcdef012";

std::shared_ptr<const CallerAuth> TwoCallers() {
  auto auth = CallerAuth::Parse(std::string("# caller scopes token\n\n") +
                                "shop-backend read,write " + kShopToken + "\n" +
                                "recommender\tread\t" + kReaderToken + "\n" +
                                "shop-backend write " + kRotatedToken + "\n");
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *auth;
}

std::string Bearer(const std::string& token) { return "Bearer " + token; }

TEST(CallerAuthTest, AcceptsEachCallersTokenForItsScopes) {
  auto auth = TwoCallers();
  EXPECT_EQ(auth->caller_count(), 3);
  EXPECT_EQ(*auth->Authorize(Bearer(kShopToken), Scope::kWrite),
            "shop-backend");
  EXPECT_EQ(*auth->Authorize(Bearer(kShopToken), Scope::kRead), "shop-backend");
  EXPECT_EQ(*auth->Authorize(Bearer(kReaderToken), Scope::kRead),
            "recommender");
  EXPECT_EQ(*auth->Authorize(Bearer(kRotatedToken), Scope::kWrite),
            "shop-backend");
  // The scheme is case-insensitive (RFC 7235).
  EXPECT_TRUE(
      auth->Authorize(std::string("bearer ") + kShopToken, Scope::kRead).ok());
}

TEST(CallerAuthTest, MissingMalformedOrUnknownTokenIsUnauthenticated) {
  auto auth = TwoCallers();
  for (const std::string& header :
       {std::string(""), std::string(kShopToken),
        "Basic " + std::string(kShopToken), Bearer(""),
        Bearer(std::string(kShopToken) + "x"),
        Bearer(std::string(kShopToken).substr(1))}) {
    absl::StatusOr<std::string> caller = auth->Authorize(header, Scope::kRead);
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated)
        << header;
    EXPECT_THAT(caller.status().message(), Not(HasSubstr(kShopToken)));
  }
}

TEST(CallerAuthTest, KnownCallerWithoutTheScopeIsPermissionDenied) {
  auto auth = TwoCallers();
  absl::StatusOr<std::string> caller =
      auth->Authorize(Bearer(kReaderToken), Scope::kWrite);
  EXPECT_EQ(caller.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(caller.status().message(),
              HasSubstr("recommender lacks the write scope"));
  EXPECT_EQ(
      auth->Authorize(Bearer(kRotatedToken), Scope::kRead).status().code(),
      absl::StatusCode::kPermissionDenied);
}

TEST(CallerAuthTest, TheRecordScopeRecordsAndNothingElse) {
  const std::string recorder(40, 'r');
  auto auth = CallerAuth::Parse("recommender read,record " + recorder + "\n" +
                                "shop-backend write " + kShopToken + "\n");
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_TRUE((*auth)->Authorize(Bearer(recorder), Scope::kRecord).ok());
  EXPECT_TRUE((*auth)->Authorize(Bearer(recorder), Scope::kRead).ok());
  EXPECT_EQ((*auth)->Authorize(Bearer(recorder), Scope::kWrite).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A writer may record too.
  EXPECT_TRUE((*auth)->Authorize(Bearer(kShopToken), Scope::kRecord).ok());
  auto reader = CallerAuth::Parse("recommender read " + recorder + "\n");
  ASSERT_TRUE(reader.ok());
  const absl::Status denied =
      (*reader)->Authorize(Bearer(recorder), Scope::kRecord).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(denied.message(), HasSubstr("lacks the record scope"));
}

TEST(CallerAuthTest, DisabledLetsEveryCallThrough) {
  auto auth = CallerAuth::Disabled();
  EXPECT_FALSE(auth->enabled());
  EXPECT_TRUE(auth->Authorize("", Scope::kWrite).ok());
}

TEST(CallerAuthTest, RefusesMalformedFilesNamingTheLine) {
  const std::string token(kShopToken);
  struct Case {
    std::string text;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"", "names no caller"},
           {"# only a comment\n", "names no caller"},
           {"shop read\n", "line 1: needs exactly three fields"},
           {"\nshop read " + token + " extra\n", "line 2: needs exactly"},
           {"shop admin " + token, "unknown scope \"admin\""},
           {"shop read, " + token, "unknown scope \"\""},
           {"shop read,,write " + token, "unknown scope \"\""},
           {"shop read short-token", "shorter than 32"},
           {"sh/op read " + token, "caller name"},
           {"a read " + token + "\nb write " + token,
            "line 2: token already given"},
       }) {
    absl::StatusOr<std::shared_ptr<const CallerAuth>> auth =
        CallerAuth::Parse(c.text);
    EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument)
        << c.text;
    EXPECT_THAT(std::string(auth.status().message()), HasSubstr(c.message))
        << c.text;
    EXPECT_THAT(auth.status().message(), Not(HasSubstr(token)));
  }
}

TEST(CallerAuthTest, DenyAllRefusesEveryone) {
  auto auth = CallerAuth::DenyAll();
  EXPECT_TRUE(auth->enabled());
  EXPECT_EQ(auth->Authorize(Bearer(kShopToken), Scope::kRead).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(CallerAuthTest, SwappedColumnsDoNotRepeatTheToken) {
  auto auth = CallerAuth::Parse(std::string("shop ") + kShopToken + " read");
  EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(auth.status().message()), HasSubstr("unknown scope"));
  EXPECT_THAT(std::string(auth.status().message()), Not(HasSubstr(kShopToken)));
}

TEST(CallerAuthTest, UnreadableFileIsAnError) {
  EXPECT_EQ(CallerAuth::LoadFile("/nonexistent/tokens").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace smartshop
