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
  options.prices["gpt-4o-mini"].output_per_million = -1;
  EXPECT_THAT(message_of(options), HasSubstr("prices: gpt-4o-mini"));
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

TEST(PricesForTest, ExactNameThenTheLongestModelASnapshotBelongsTo) {
  const ModelPrices& prices = ListPrices();
  EXPECT_EQ(PricesFor(prices, "gpt-4o")->input_per_million, 2.50);
  EXPECT_EQ(PricesFor(prices, "gpt-4o-mini")->input_per_million, 0.15);
  EXPECT_EQ(PricesFor(prices, "gpt-4o-mini-2024-07-18")->input_per_million,
            0.15);
  EXPECT_EQ(PricesFor(prices, "gpt-4.1-nano-2025-04-14")->output_per_million,
            0.40);
  EXPECT_EQ(PricesFor(prices, "gpt-4o-2024-08-06")->output_per_million, 10.0);
  for (const char* unknown : {"gpt-4", "gpt-4omni", "o3", ""}) {
    absl::StatusOr<TokenPrices> found = PricesFor(prices, unknown);
    EXPECT_EQ(found.status().code(), absl::StatusCode::kNotFound) << unknown;
  }
}

TEST(WithPricesTest, AddsAndReplacesEntries) {
  absl::StatusOr<ModelPrices> prices =
      WithPrices(ListPrices(), " acme=1/0.5/4 , gpt-4o-mini=0.2/0.1/0.8");
  ASSERT_TRUE(prices.ok()) << prices.status();
  EXPECT_EQ(PricesFor(*prices, "acme")->cached_input_per_million, 0.5);
  EXPECT_EQ(PricesFor(*prices, "gpt-4o-mini")->output_per_million, 0.8);
  EXPECT_EQ(PricesFor(*prices, "gpt-4o")->input_per_million, 2.50);
  EXPECT_TRUE(WithPrices(ListPrices(), "").ok());
}

TEST(WithPricesTest, MalformedEntriesNameTheEntry) {
  for (const char* text : {"acme", "acme=1/2", "=1/2/3", "acme=1/x/3",
                           "acme=-1/0/0", "acme=1/1/nan", "acme=1/1/5000"}) {
    absl::StatusOr<ModelPrices> prices = WithPrices(ListPrices(), text);
    ASSERT_FALSE(prices.ok()) << text;
    EXPECT_EQ(prices.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(prices.status().message(), HasSubstr("--openai_prices"));
  }
}

}  // namespace
}  // namespace smartshop::recommender
