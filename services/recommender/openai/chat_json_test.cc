#include "services/recommender/openai/chat_json.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Optional;

namespace json = boost::json;

TEST(BuildChatCompletionsBodyTest, HasModelMessagesTemperatureAndMaxTokens) {
  ChatRequest request;
  request.model = "gpt-4o-mini";
  request.messages = {{"system", "Always return valid JSON."},
                      {"user", "Recommend \"8\" products\n"}};
  const json::value body = json::parse(BuildChatCompletionsBody(request));
  EXPECT_EQ(body.at("model"), "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(body.at("temperature").as_double(), 0.7);
  EXPECT_EQ(body.at("max_tokens").as_int64(), 1000);
  const json::array& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role"), "system");
  EXPECT_EQ(messages[1].at("content"), "Recommend \"8\" products\n");
}

TEST(ParseChatCompletionsBodyTest, ReadsContentTokensAndCost) {
  const char* body = R"({"id":"x","object":"chat.completion",
    "choices":[{"index":0,"message":{"role":"assistant","content":"[1]"},
                "finish_reason":"stop"}],
    "usage":{"prompt_tokens":1000000,"completion_tokens":2000000}})";
  absl::StatusOr<ChatCompletion> completion =
      ParseChatCompletionsBody(body, TokenPrices{});
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->content, "[1]");
  EXPECT_EQ(completion->prompt_tokens, 1000000);
  EXPECT_EQ(completion->completion_tokens, 2000000);
  EXPECT_THAT(completion->estimated_cost_usd, DoubleNear(0.15 + 1.20, 1e-9));
}

TEST(ParseChatCompletionsBodyTest, MissingUsageCostsNothing) {
  absl::StatusOr<ChatCompletion> completion = ParseChatCompletionsBody(
      R"({"choices":[{"message":{"content":"hi"}}]})", TokenPrices{});
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->prompt_tokens, 0);
  EXPECT_EQ(completion->estimated_cost_usd, 0);
}

TEST(ParseChatCompletionsBodyTest, NotJsonIsDataLossWithSnippet) {
  absl::StatusOr<ChatCompletion> completion =
      ParseChatCompletionsBody("<html>Bad Gateway</html>", TokenPrices{});
  EXPECT_EQ(completion.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(completion.status().message(), HasSubstr("<html>Bad Gateway"));
}

TEST(ParseChatCompletionsBodyTest, WrongShapesAreDataLoss) {
  for (const char* body : {
           R"([1,2])",
           R"({"object":"chat.completion"})",
           R"({"choices":[]})",
           R"({"choices":[{"index":0}]})",
           R"({"choices":[{"message":{"content":null},
                           "finish_reason":"content_filter"}]})",
           R"({"choices":[{"message":{"content":42}}]})",
       }) {
    EXPECT_EQ(ParseChatCompletionsBody(body, TokenPrices{}).status().code(),
              absl::StatusCode::kDataLoss)
        << body;
  }
}

TEST(ErrorMessageFromBodyTest, ReadsOpenAiErrorMessage) {
  EXPECT_EQ(ErrorMessageFromBody(
                R"({"error":{"message":"The model `x` does not exist"}})"),
            "The model `x` does not exist");
  EXPECT_EQ(ErrorMessageFromBody("not json"), "");
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":"flat"})"), "");
  EXPECT_EQ(ErrorMessageFromBody(R"({"error":{"message":"abcdef"}})", 3),
            "abc...");
}

TEST(ParseRetryAfterTest, PrefersMillisecondsThenSeconds) {
  EXPECT_THAT(ParseRetryAfter("1500", "9"), Optional(absl::Milliseconds(1500)));
  EXPECT_THAT(ParseRetryAfter("", " 2 "), Optional(absl::Seconds(2)));
  EXPECT_THAT(ParseRetryAfter("", "0.5"), Optional(absl::Milliseconds(500)));
  EXPECT_EQ(ParseRetryAfter("", ""), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", "Wed, 21 Oct 2015 07:28:00 GMT"), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", "-1"), std::nullopt);
}

}  // namespace
}  // namespace smartshop::recommender
