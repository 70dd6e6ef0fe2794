#include "tools/cli/recommendations_view.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::cli {
namespace {

TEST(RecommendationsTableTest, TheHeaderSaysWhyTheRankerWasChosen) {
  smartshop::v1::Recommendations routed;
  routed.set_placement(smartshop::v1::PLACEMENT_HOME);
  routed.set_strategy(smartshop::v1::STRATEGY_BUILTIN);
  routed.set_routing_reason("routed: long history");
  EXPECT_THAT(
      RecommendationsTable(routed),
      ::testing::StartsWith("PLACEMENT_HOME, strategy: "
                            "STRATEGY_BUILTIN, routed: long history\n"));

  smartshop::v1::Recommendations fallback;
  fallback.set_placement(smartshop::v1::PLACEMENT_HOME);
  fallback.set_strategy(smartshop::v1::STRATEGY_MODEL_FALLBACK);
  fallback.set_fallback_reason("model: timed out");
  EXPECT_THAT(RecommendationsTable(fallback),
              ::testing::StartsWith("PLACEMENT_HOME, strategy: "
                                    "STRATEGY_MODEL_FALLBACK, because model: "
                                    "timed out\n"));
}

}  // namespace
}  // namespace smartshop::cli
