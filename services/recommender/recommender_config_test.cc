#include "services/recommender/recommender_config.h"

#include <cstdlib>
#include <string>

#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using ::testing::HasSubstr;

class RecommenderConfigTest : public ::testing::Test {
 protected:
  RecommenderConfigTest() { Set("insecure_no_auth", "true"); }

  static void Set(const std::string& name, const std::string& value) {
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    ASSERT_NE(flag, nullptr) << name;
    std::string error;
    ASSERT_TRUE(flag->ParseFrom(value, &error)) << name << ": " << error;
  }

  absl::FlagSaver saver_;
};

TEST_F(RecommenderConfigTest, RoutingAndTheSecondaryModelAreOffByDefault) {
  absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->engine.model_route_max_history, 0);
  EXPECT_EQ(config->engine.fallback_model, "");
  EXPECT_EQ(config->engine.primary_timeout_share, 0.5);
}

TEST_F(RecommenderConfigTest, TheNewFlagsReachTheEngine) {
  Set("model_route_max_history", "49");
  Set("openai_fallback_model", "gpt-4.1-nano");
  Set("openai_primary_timeout_share", "1");
  absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->engine.model_route_max_history, 49);
  EXPECT_EQ(config->engine.fallback_model, "gpt-4.1-nano");
  EXPECT_EQ(config->fallback_model, "gpt-4.1-nano");
  EXPECT_EQ(config->engine.primary_timeout_share, 1.0);
}

TEST_F(RecommenderConfigTest, TheNewSettingsComeFromTheEnvironmentToo) {
  setenv("OPENAI_FALLBACK_MODEL", "gpt-4.1-nano", 1);
  setenv("RECOMMENDER_MODEL_ROUTE_MAX_HISTORY", "12", 1);
  setenv("OPENAI_PRIMARY_TIMEOUT_SHARE", "0.25", 1);
  const absl::Status applied = ApplyEnvironmentToFlags(kRecommenderFlagEnv);
  unsetenv("OPENAI_FALLBACK_MODEL");
  unsetenv("RECOMMENDER_MODEL_ROUTE_MAX_HISTORY");
  unsetenv("OPENAI_PRIMARY_TIMEOUT_SHARE");
  ASSERT_TRUE(applied.ok()) << applied;
  absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->engine.fallback_model, "gpt-4.1-nano");
  EXPECT_EQ(config->engine.model_route_max_history, 12);
  EXPECT_EQ(config->engine.primary_timeout_share, 0.25);
}

TEST_F(RecommenderConfigTest, BadRoutingThresholdsNameTheFlag) {
  for (const char* value : {"-1", "50"}) {
    Set("model_route_max_history", value);
    absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
    ASSERT_FALSE(config.ok()) << value;
    EXPECT_THAT(config.status().message(),
                HasSubstr("--model_route_max_history"));
  }
}

TEST_F(RecommenderConfigTest, BadTimeoutSharesNameTheFlag) {
  for (const char* value : {"0", "-0.5", "1.5"}) {
    Set("openai_primary_timeout_share", value);
    absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
    ASSERT_FALSE(config.ok()) << value;
    EXPECT_THAT(config.status().message(),
                HasSubstr("--openai_primary_timeout_share"));
  }
}

TEST_F(RecommenderConfigTest, TheFallbackModelMustDifferFromTheModel) {
  Set("openai_model", "gpt-4o");
  Set("openai_fallback_model", "gpt-4o");
  absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("--openai_fallback_model"));
}

TEST_F(RecommenderConfigTest, AModelWithoutAKnownPriceIsRefused) {
  for (const char* flag : {"openai_model", "openai_fallback_model"}) {
    absl::FlagSaver restore;
    Set(flag, "acme-large");
    absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
    ASSERT_FALSE(config.ok()) << flag;
    EXPECT_THAT(config.status().message(),
                HasSubstr(absl::StrCat("--", flag, "=acme-large")));
    EXPECT_THAT(config.status().message(), HasSubstr("--openai_prices"));
  }
}

TEST_F(RecommenderConfigTest, GivenPricesPriceTheModelAndBoundTheHold) {
  Set("openai_model", "gpt-4o-mini");
  Set("openai_fallback_model", "acme-large");
  Set("openai_prices", "acme-large=10/5/40");
  absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
  ASSERT_TRUE(config.ok()) << config.status();
  absl::StatusOr<TokenPrices> prices =
      PricesFor(config->openai.prices, "acme-large");
  ASSERT_TRUE(prices.ok());
  EXPECT_EQ(prices->output_per_million, 40);
  // A call is held at the dearer model's worst case: 4 000 prompt tokens
  // and 1 000 completion tokens of acme-large.
  EXPECT_DOUBLE_EQ(config->model_budget.reserve_per_call_usd,
                   (4000 * 10.0 + 1000 * 40.0) / 1e6);
}

TEST_F(RecommenderConfigTest, MalformedPricesNameTheFlag) {
  for (const char* value :
       {"acme", "acme=1/2", "=1/2/3", "acme=1/x/3", "acme=-1/0/0"}) {
    Set("openai_prices", value);
    absl::StatusOr<RecommenderConfig> config = LoadRecommenderConfig();
    ASSERT_FALSE(config.ok()) << value;
    EXPECT_THAT(config.status().message(), HasSubstr("--openai_prices"))
        << value;
  }
}

}  // namespace
}  // namespace smartshop::recommender
