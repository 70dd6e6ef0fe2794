// deploy/experiments.example.textproto, the example the docs point to,
// parses and validates, and says what its comments say.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/recommender/experiments/experiment_config.h"

namespace smartshop::recommender::experiments {
namespace {

std::string ReadExample() {
  const std::string path = std::string(SMARTSHOP_SOURCE_DIR) +
                           "/deploy/experiments.example.textproto";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExperimentsExampleTest, ParsesAndValidates) {
  const absl::StatusOr<smartshop::v1::ExperimentsConfig> config =
      ParseExperimentsConfig(ReadExample());
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->experiments_size(), 2);

  const smartshop::v1::Experiment& home = config->experiments(0);
  EXPECT_EQ(home.placements_size(), 1);
  EXPECT_EQ(home.placements(0), smartshop::v1::PLACEMENT_HOME);
  EXPECT_DOUBLE_EQ(home.holdout(), 0.1);
  ASSERT_EQ(home.variants_size(), 3);
  EXPECT_EQ(home.variants(0).ranker(), smartshop::v1::VARIANT_RANKER_BUILTIN);
  EXPECT_EQ(home.variants(1).ranker(), smartshop::v1::VARIANT_RANKER_MODEL);
  EXPECT_EQ(home.variants(2).ranker(),
            smartshop::v1::VARIANT_RANKER_TOP_SELLERS);

  const smartshop::v1::Experiment& ttl = config->experiments(1);
  EXPECT_EQ(ttl.placements(0), smartshop::v1::PLACEMENT_TRENDING);
  ASSERT_EQ(ttl.variants_size(), 2);
  EXPECT_EQ(ttl.variants(0).cache_ttl().seconds(), 300);
  EXPECT_EQ(ttl.variants(1).cache_ttl().seconds(), 3600);
  EXPECT_FALSE(ttl.has_stop());
  EXPECT_EQ(ttl.shoppers_per_variant(), 1000);  // the default, filled in
}

TEST(ExperimentsExampleTest, EachPlacementHasItsExperimentInDecember) {
  const absl::StatusOr<smartshop::v1::ExperimentsConfig> config =
      ParseExperimentsConfig(ReadExample());
  ASSERT_TRUE(config.ok()) << config.status();
  const absl::StatusOr<ExperimentSet> set = ExperimentSet::Create(*config);
  ASSERT_TRUE(set.ok()) << set.status();
  const absl::Time mid_december = absl::FromUnixSeconds(1797465600);
  ASSERT_NE(set->Active(smartshop::v1::PLACEMENT_HOME, mid_december), nullptr);
  EXPECT_EQ(set->Active(smartshop::v1::PLACEMENT_HOME, mid_december)->name(),
            "home-ranker-2026-12");
  ASSERT_NE(set->Active(smartshop::v1::PLACEMENT_TRENDING, mid_december),
            nullptr);
  EXPECT_EQ(
      set->Active(smartshop::v1::PLACEMENT_TRENDING, mid_december)->name(),
      "trending-cache-ttl");
  EXPECT_EQ(set->Active(smartshop::v1::PLACEMENT_CART, mid_december), nullptr);
}

}  // namespace
}  // namespace smartshop::recommender::experiments
