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

TEST(BuildChatCompletionsBodyTest, NoResponseFormatWithoutSchema) {
  ChatRequest request;
  request.model = "gpt-4o-mini";
  const json::value body = json::parse(BuildChatCompletionsBody(request));
  EXPECT_EQ(body.as_object().if_contains("response_format"), nullptr);
}

TEST(BuildChatCompletionsBodyTest, StrictJsonSchemaResponseFormat) {
  ChatRequest request;
  request.model = "gpt-4o-mini";
  request.response_schema =
      ResponseSchema{"picks", json::parse(R"({"type":"object","properties":{},
                               "additionalProperties":false})")};
  const json::value body = json::parse(BuildChatCompletionsBody(request));
  const json::value& format = body.at("response_format");
  EXPECT_EQ(format.at("type"), "json_schema");
  EXPECT_EQ(format.at("json_schema").at("name"), "picks");
  EXPECT_EQ(format.at("json_schema").at("strict"), true);
  EXPECT_EQ(format.at("json_schema").at("schema").at("additionalProperties"),
            false);
}

TEST(ParseChatCompletionsBodyTest, RefusalWithNullContentIsNotDataLoss) {
  absl::StatusOr<ChatCompletion> completion = ParseChatCompletionsBody(
      R"({"choices":[{"message":{"role":"assistant","content":null,
          "refusal":"I can't help with that."},"finish_reason":"stop"}]})",
      TokenPrices{});
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->refusal, "I can't help with that.");
  EXPECT_EQ(completion->content, "");
  EXPECT_EQ(completion->finish_reason, "stop");
  EXPECT_FALSE(completion->structured);
}

TEST(ParseChatCompletionsBodyTest, NullRefusalIsNoRefusal) {
  absl::StatusOr<ChatCompletion> completion = ParseChatCompletionsBody(
      R"({"choices":[{"message":{"content":"[]","refusal":null},
          "finish_reason":"length"}]})",
      TokenPrices{});
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->refusal, "");
  EXPECT_EQ(completion->finish_reason, "length");
}

TEST(ParseChatCompletionsBodyTest, CachedTokensArePricedAtTheCachedRate) {
  const char* body = R"({"choices":[{"message":{"content":"[]"}}],
    "usage":{"prompt_tokens":2000000,"completion_tokens":1000000,
             "prompt_tokens_details":{"cached_tokens":1000000}}})";
  absl::StatusOr<ChatCompletion> completion =
      ParseChatCompletionsBody(body, TokenPrices{});
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->prompt_tokens, 2000000);
  EXPECT_EQ(completion->cached_prompt_tokens, 1000000);
  // 1M uncached at 0.15, 1M cached at 0.075, 1M output at 0.60.
  EXPECT_THAT(completion->estimated_cost_usd,
              DoubleNear(0.15 + 0.075 + 0.60, 1e-9));
}

TEST(ParseChatCompletionsBodyTest, CachedTokensNeverExceedThePrompt) {
  absl::StatusOr<ChatCompletion> completion = ParseChatCompletionsBody(
      R"({"choices":[{"message":{"content":"[]"}}],
          "usage":{"prompt_tokens":100,"completion_tokens":0,
                   "prompt_tokens_details":{"cached_tokens":5000}}})",
      TokenPrices{});
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->cached_prompt_tokens, 100);
  EXPECT_THAT(completion->estimated_cost_usd,
              DoubleNear(100 * 0.075e-6, 1e-12));
}

TEST(EstimateCostUsdTest, NoCachedTokensIsThePlainInputPrice) {
  EXPECT_THAT(EstimateCostUsd(1000000, 0, 0, TokenPrices{}),
              DoubleNear(0.15, 1e-12));
  EXPECT_THAT(EstimateCostUsd(1000000, 1000000, 0, TokenPrices{}),
              DoubleNear(0.075, 1e-12));
}

TEST(RejectsResponseFormatTest, OnlyA400AboutResponseFormat) {
  EXPECT_TRUE(RejectsResponseFormat(
      400,
      R"({"error":{"message":"Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.","param":"response_format"}})"));
  EXPECT_TRUE(RejectsResponseFormat(
      400,
      R"({"error":{"message":"unknown field","param":"response_format.json_schema"}})"));
  EXPECT_TRUE(
      RejectsResponseFormat(400, R"({"error":{"message":"JSON_SCHEMA off"}})"));
  EXPECT_FALSE(RejectsResponseFormat(
      400, R"({"error":{"message":"max_tokens is too large"}})"));
  EXPECT_FALSE(RejectsResponseFormat(
      500, R"({"error":{"message":"response_format broke us"}})"));
  EXPECT_FALSE(RejectsResponseFormat(400, "response_format: not json"));
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
