#include "services/recommender/openai/openai_options.h"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using ::testing::HasSubstr;

TEST(ParseBaseUrlTest, DefaultOpenAiUrl) {
  absl::StatusOr<BaseUrl> url = ParseBaseUrl("https://api.openai.com/v1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "api.openai.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path_prefix, "/v1");
}

TEST(ParseBaseUrlTest, PortPathAndTrailingSlash) {
  absl::StatusOr<BaseUrl> url =
      ParseBaseUrl("HTTPS://LocalHost:8443/proxy/openai/v1/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path_prefix, "/proxy/openai/v1");
}

TEST(ParseBaseUrlTest, NoPathAndIpLiterals) {
  absl::StatusOr<BaseUrl> v4 = ParseBaseUrl("https://127.0.0.1:1234");
  ASSERT_TRUE(v4.ok()) << v4.status();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->path_prefix, "");
  absl::StatusOr<BaseUrl> v6 = ParseBaseUrl("https://[::1]:1234/v1");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 1234);
}

TEST(ParseBaseUrlTest, RejectsBadUrlsNamingTheField) {
  for (const char* url :
       {"", "api.openai.com/v1", "http://api.openai.com/v1", "https://",
        "https://:443/v1", "https://host:0", "https://host:70000",
        "https://host:+80", "https://host:/v1", "https://user:pw@host/v1",
        "https://host/v1?x=1", "https://ho st/v1", "https://[::1/v1"}) {
    absl::StatusOr<BaseUrl> parsed = ParseBaseUrl(url);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << url;
    EXPECT_THAT(parsed.status().message(), HasSubstr("base_url")) << url;
  }
}

TEST(ValidateOpenAiOptionsTest, DefaultsAreValid) {
  EXPECT_TRUE(ValidateOpenAiOptions(OpenAiOptions{}).ok());
}

TEST(ValidateOpenAiOptionsTest, NamesTheBadField) {
  auto message_of = [](OpenAiOptions options) {
    absl::Status status = ValidateOpenAiOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    return std::string(status.message());
  };
  OpenAiOptions options;
  options.base_url = "http://localhost/v1";
  EXPECT_THAT(message_of(options), HasSubstr("base_url"));
  options = {};
  options.connect_timeout = absl::ZeroDuration();
  EXPECT_THAT(message_of(options), HasSubstr("connect_timeout"));
  options = {};
  options.max_idle_connections = -1;
  EXPECT_THAT(message_of(options), HasSubstr("max_idle_connections"));
  options = {};
  options.prices.output_per_million = -1;
  EXPECT_THAT(message_of(options), HasSubstr("prices"));
  options = {};
  options.retry.backoff_min = absl::Seconds(2);
  EXPECT_THAT(message_of(options), HasSubstr("backoff"));
}

TEST(ValidateOpenAiOptionsTest, KeyWithNewlineIsRejectedWithoutQuotingIt) {
  OpenAiOptions options;
  options.api_key = "sk-secret-value\n";
  absl::Status status = ValidateOpenAiOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("api_key"));
  EXPECT_THAT(status.message(), ::testing::Not(HasSubstr("sk-secret")));
}

}  // namespace
}  // namespace smartshop::recommender
