#include "services/recommender/experiments/experiment_config.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::recommender::experiments {
namespace {

using smartshop::testing::StatusIs;
using smartshop::v1::Experiment;
using smartshop::v1::ExperimentsConfig;
using smartshop::v1::PLACEMENT_CART;
using smartshop::v1::PLACEMENT_HOME;
using smartshop::v1::PLACEMENT_PRODUCT;
using ::testing::Eq;
using ::testing::HasSubstr;
using ::testing::IsNull;
using ::testing::NotNull;

constexpr int64_t kDec1 = 1796083200;  // 2026-12-01T00:00:00Z
constexpr int64_t kJan1 = 1798761600;  // 2027-01-01T00:00:00Z

// Two valid experiments: [0] on home (3 variants, Dec), [1] on product
// (2 variants, open-ended from Dec 1st).
constexpr char kValidText[] = R"pb(
  experiments {
    name: "home-ranker"
    placements: PLACEMENT_HOME
    variants { name: "builtin" weight: 1 ranker: VARIANT_RANKER_BUILTIN }
    variants { name: "model" weight: 1 ranker: VARIANT_RANKER_MODEL }
    variants {
      name: "top_sellers"
      weight: 2
      ranker: VARIANT_RANKER_TOP_SELLERS
    }
    holdout: 0.1
    start { seconds: 1796083200 }
    stop { seconds: 1798761600 }
  }
  experiments {
    name: "product_ttl"
    placements: PLACEMENT_PRODUCT
    variants {
      name: "short"
      weight: 1
      cache_ttl { seconds: 300 }
    }
    variants {
      name: "long"
      weight: 1
      cache_ttl { seconds: 3600 }
    }
    start { seconds: 1796083200 }
    shoppers_per_variant: 5000
  }
)pb";

ExperimentsConfig ValidConfig() {
  ExperimentsConfig config;
  EXPECT_TRUE(
      google::protobuf::TextFormat::ParseFromString(kValidText, &config));
  return config;
}

absl::Status ValidateWith(void (*change)(ExperimentsConfig&)) {
  ExperimentsConfig config = ValidConfig();
  change(config);
  return ValidateExperimentsConfig(config);
}

MATCHER_P(InvalidWith, message, "") {
  return ::testing::ExplainMatchResult(
      StatusIs(absl::StatusCode::kInvalidArgument, Eq(message)), arg,
      result_listener);
}

absl::Time At(int64_t seconds) { return absl::FromUnixSeconds(seconds); }

TEST(ValidateExperimentsConfigTest, AcceptsAValidConfig) {
  EXPECT_TRUE(ValidateExperimentsConfig(ValidConfig()).ok());
}

TEST(ValidateExperimentsConfigTest, AcceptsAnEmptyConfig) {
  EXPECT_TRUE(ValidateExperimentsConfig(ExperimentsConfig()).ok());
}

TEST(ValidateExperimentsConfigTest, ExperimentName) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->set_name("");
              }),
              InvalidWith("experiments[1].name: must be 1 to 64 characters "
                          "of a-z 0-9 _ -"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_name(std::string(65, 'a'));
              }),
              InvalidWith("experiments[0].name: must be 1 to 64 characters "
                          "of a-z 0-9 _ -"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_name("Home");
              }),
              InvalidWith("experiments[0].name: must be 1 to 64 characters "
                          "of a-z 0-9 _ -"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_name("home ranker");
              }),
              InvalidWith("experiments[0].name: must be 1 to 64 characters "
                          "of a-z 0-9 _ -"));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_name(std::string(64, 'a'));
              }).ok());
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_name("a-0_z");
              }).ok());
}

TEST(ValidateExperimentsConfigTest, ExperimentNamesAreUnique) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->set_name("home-ranker");
              }),
              InvalidWith("experiments[1].name: repeats \"home-ranker\" "
                          "(experiments[0])"));
}

TEST(ValidateExperimentsConfigTest, ModelVariantsRankOnlyTheHomePage) {
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->add_placements(PLACEMENT_CART);
      }),
      InvalidWith("experiments[0].variants[1].ranker: VARIANT_RANKER_MODEL "
                  "ranks only PLACEMENT_HOME (the experiment also runs on "
                  "PLACEMENT_CART)"));
  // Builtin and top sellers run anywhere.
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(1)->set_ranker(
                    smartshop::v1::VARIANT_RANKER_BUILTIN);
                c.mutable_experiments(0)->add_placements(PLACEMENT_CART);
              }).ok());
}

TEST(ValidateExperimentsConfigTest, RoutedAndFallbackModelVariantsValidate) {
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(1)->set_ranker(
                    smartshop::v1::VARIANT_RANKER_MODEL_ROUTED);
              }).ok());
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(1)->set_ranker(
                    smartshop::v1::VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL);
              }).ok());
  // They are model variants: the home page only.
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->mutable_variants(1)->set_ranker(
            smartshop::v1::VARIANT_RANKER_MODEL_ROUTED);
        c.mutable_experiments(0)->add_placements(PLACEMENT_CART);
      }),
      InvalidWith("experiments[0].variants[1].ranker: "
                  "VARIANT_RANKER_MODEL_ROUTED ranks only PLACEMENT_HOME (the "
                  "experiment also runs on PLACEMENT_CART)"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(1)->set_ranker(
                    smartshop::v1::VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL);
                c.mutable_experiments(0)->add_placements(PLACEMENT_PRODUCT);
              }),
              InvalidWith("experiments[0].variants[1].ranker: "
                          "VARIANT_RANKER_MODEL_WITH_FALLBACK_MODEL ranks only "
                          "PLACEMENT_HOME (the experiment also runs on "
                          "PLACEMENT_PRODUCT)"));
}

TEST(ValidateExperimentsConfigTest, Placements) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->clear_placements();
              }),
              InvalidWith("experiments[0].placements: must name at least one "
                          "placement"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->add_placements(PLACEMENT_CART);
                c.mutable_experiments(0)->add_placements(PLACEMENT_HOME);
              }),
              InvalidWith("experiments[0].placements[2]: repeats "
                          "PLACEMENT_HOME"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->add_placements(
                    static_cast<smartshop::v1::Placement>(42));
              }),
              InvalidWith("experiments[1].placements[1]: unknown placement "
                          "42"));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->add_placements(PLACEMENT_CART);
              }).ok());
}

TEST(ValidateExperimentsConfigTest, TwoToEightVariants) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->mutable_variants()->RemoveLast();
              }),
              InvalidWith("experiments[1].variants: must have 2 to 8 "
                          "variants, has 1"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->clear_variants();
              }),
              InvalidWith("experiments[1].variants: must have 2 to 8 "
                          "variants, has 0"));
  auto with_variants = [](int n) {
    ExperimentsConfig c = ValidConfig();
    Experiment* e = c.mutable_experiments(0);
    e->clear_variants();
    for (int i = 0; i < n; ++i) {
      auto* v = e->add_variants();
      v->set_name(absl::StrCat("v", i));
      v->set_weight(1);
    }
    return ValidateExperimentsConfig(c);
  };
  EXPECT_TRUE(with_variants(8).ok());
  EXPECT_THAT(with_variants(9),
              InvalidWith("experiments[0].variants: must have 2 to 8 "
                          "variants, has 9"));
}

TEST(ValidateExperimentsConfigTest, VariantName) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(2)->set_name("");
              }),
              InvalidWith("experiments[0].variants[2].name: must be 1 to 32 "
                          "characters of a-z 0-9 _ -"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(2)->set_name(
                    std::string(33, 'x'));
              }),
              InvalidWith("experiments[0].variants[2].name: must be 1 to 32 "
                          "characters of a-z 0-9 _ -"));
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->mutable_variants(1)->set_name("model.v2");
      }),
      InvalidWith("experiments[0].variants[1].name: must be 1 to 32 "
                  "characters of a-z 0-9 _ -"));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(2)->set_name(
                    std::string(32, 'x'));
              }).ok());
}

TEST(ValidateExperimentsConfigTest, VariantNameHoldoutIsReserved) {
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(1)->mutable_variants(0)->set_name("holdout");
      }),
      InvalidWith("experiments[1].variants[0].name: \"holdout\" is "
                  "reserved for the shoppers left out"));
}

TEST(ValidateExperimentsConfigTest, VariantNamesAreUniqueInTheExperiment) {
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->mutable_variants(2)->set_name("builtin");
      }),
      InvalidWith("experiments[0].variants[2].name: repeats "
                  "\"builtin\""));
  // The same variant names in two experiments are fine.
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->mutable_variants(0)->set_name(
                    "builtin");
              }).ok());
}

TEST(ValidateExperimentsConfigTest, Weight) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->mutable_variants(0)->set_weight(0);
              }),
              InvalidWith("experiments[1].variants[0].weight: must be > 0"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->mutable_variants(1)->set_weight(-1);
              }),
              InvalidWith("experiments[1].variants[1].weight: must be > 0"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(0)->set_weight(
                    std::numeric_limits<double>::infinity());
              }),
              InvalidWith("experiments[0].variants[0].weight: must be "
                          "finite"));
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->mutable_variants(0)->set_weight(std::nan(""));
      }),
      InvalidWith("experiments[0].variants[0].weight: must be "
                  "finite"));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_variants(0)->set_weight(1e-6);
              }).ok());
}

TEST(ValidateExperimentsConfigTest, UnknownRankerFromANumberInTheFile) {
  // The text format takes an unknown number for an open enum; validation
  // must not.
  const absl::StatusOr<ExperimentsConfig> parsed = ParseExperimentsConfig(R"pb(
    experiments {
      name: "x"
      placements: PLACEMENT_HOME
      variants { name: "a" weight: 1 }
      variants { name: "b" weight: 1 ranker: 9 }
      start { seconds: 1796083200 }
    }
  )pb");
  EXPECT_THAT(parsed,
              InvalidWith("experiments[0].variants[1].ranker: unknown ranker "
                          "9"));
}

TEST(ValidateExperimentsConfigTest, CacheTtl) {
  const std::string message =
      "experiments[1].variants[1].cache_ttl: must be 1s to 24h (unset = the "
      "service's)";
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        auto* ttl =
            c.mutable_experiments(1)->mutable_variants(1)->mutable_cache_ttl();
        ttl->set_seconds(0);
        ttl->set_nanos(999'999'999);
      }),
      InvalidWith(message));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)
                    ->mutable_variants(1)
                    ->mutable_cache_ttl()
                    ->set_seconds(86401);
              }),
              InvalidWith(message));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)
                    ->mutable_variants(1)
                    ->mutable_cache_ttl()
                    ->set_seconds(-60);
              }),
              InvalidWith(message));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                // Set but zero: not the same as unset.
                c.mutable_experiments(1)
                    ->mutable_variants(1)
                    ->mutable_cache_ttl()
                    ->Clear();
              }),
              InvalidWith(message));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)
                    ->mutable_variants(1)
                    ->mutable_cache_ttl()
                    ->set_seconds(86400);
                c.mutable_experiments(1)
                    ->mutable_variants(0)
                    ->mutable_cache_ttl()
                    ->set_seconds(1);
              }).ok());
  EXPECT_TRUE(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(1)->mutable_variants(1)->clear_cache_ttl();
      }).ok());
}

TEST(ValidateExperimentsConfigTest, Holdout) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_holdout(-0.01);
              }),
              InvalidWith("experiments[0].holdout: must be 0 to 0.5"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_holdout(0.51);
              }),
              InvalidWith("experiments[0].holdout: must be 0 to 0.5"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_holdout(std::nan(""));
              }),
              InvalidWith("experiments[0].holdout: must be 0 to 0.5"));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_holdout(0.5);
              }).ok());
}

TEST(ValidateExperimentsConfigTest, Salt) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_salt(std::string("a\0b", 3));
              }),
              InvalidWith("experiments[0].salt: must be at most 256 bytes, "
                          "without NUL"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_salt(std::string(257, 's'));
              }),
              InvalidWith("experiments[0].salt: must be at most 256 bytes, "
                          "without NUL"));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->set_salt("Any Text: 2026/12");
              }).ok());
}

TEST(ValidateExperimentsConfigTest, StartIsRequiredAndValid) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->clear_start();
              }),
              InvalidWith("experiments[1].start: required"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->mutable_start()->set_nanos(-1);
              }),
              InvalidWith("experiments[1].start: not a valid timestamp"));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->mutable_start()->set_seconds(
                    std::numeric_limits<int64_t>::max());
              }),
              InvalidWith("experiments[1].start: not a valid timestamp"));
}

TEST(ValidateExperimentsConfigTest, StopIsAfterStart) {
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_stop()->set_seconds(kDec1);
              }),
              InvalidWith("experiments[0].stop: must be after start (or "
                          "unset)"));
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->mutable_stop()->set_seconds(kDec1 - 1);
      }),
      InvalidWith("experiments[0].stop: must be after start (or "
                  "unset)"));
  EXPECT_THAT(
      ValidateWith([](ExperimentsConfig& c) {
        c.mutable_experiments(0)->mutable_stop()->set_nanos(1'000'000'000);
      }),
      InvalidWith("experiments[0].stop: not a valid timestamp"));
  // One nanosecond long is long enough.
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(0)->mutable_stop()->set_seconds(kDec1);
                c.mutable_experiments(0)->mutable_stop()->set_nanos(1);
              }).ok());
}

TEST(ValidateExperimentsConfigTest, ShoppersPerVariant) {
  const std::string message =
      "experiments[1].shoppers_per_variant: must be 0 (= 1000) or 100 to "
      "100000000";
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->set_shoppers_per_variant(99);
              }),
              InvalidWith(message));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->set_shoppers_per_variant(100'000'001);
              }),
              InvalidWith(message));
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->set_shoppers_per_variant(-1000);
              }),
              InvalidWith(message));
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->set_shoppers_per_variant(100);
                c.mutable_experiments(0)->set_shoppers_per_variant(100'000'000);
              }).ok());
}

TEST(ValidateExperimentsConfigTest, OverlapOnAPlacementNamesBoth) {
  // product_ttl is open-ended from Dec 1st: moving it onto home overlaps.
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->add_placements(PLACEMENT_HOME);
              }),
              InvalidWith("experiments[1].placements[1]: \"product_ttl\" and "
                          "\"home-ranker\" (experiments[0]) both run on "
                          "PLACEMENT_HOME at overlapping times"));
  // Starting before home-ranker and stopping inside it overlaps too.
  EXPECT_THAT(ValidateWith([](ExperimentsConfig& c) {
                Experiment* e = c.mutable_experiments(1);
                e->set_placements(0, PLACEMENT_HOME);
                e->mutable_start()->set_seconds(kDec1 - 86400);
                e->mutable_stop()->set_seconds(kDec1 + 1);
              }),
              InvalidWith("experiments[1].placements[0]: \"product_ttl\" and "
                          "\"home-ranker\" (experiments[0]) both run on "
                          "PLACEMENT_HOME at overlapping times"));
}

TEST(ValidateExperimentsConfigTest, BackToBackOrElsewhereIsNoOverlap) {
  // [Dec 1, Jan 1) then [Jan 1, open): stop is exclusive.
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                Experiment* e = c.mutable_experiments(1);
                e->set_placements(0, PLACEMENT_HOME);
                e->mutable_start()->set_seconds(kJan1);
              }).ok());
  // Same time, other placements.
  EXPECT_TRUE(ValidateWith([](ExperimentsConfig& c) {
                c.mutable_experiments(1)->add_placements(PLACEMENT_CART);
              }).ok());
}

TEST(ParseExperimentsConfigTest, ParsesAndFillsTheDefaultHorizon) {
  const absl::StatusOr<ExperimentsConfig> config =
      ParseExperimentsConfig(kValidText);
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->experiments_size(), 2);
  EXPECT_EQ(config->experiments(0).shoppers_per_variant(), 1000);
  EXPECT_EQ(config->experiments(1).shoppers_per_variant(), 5000);
  EXPECT_EQ(config->experiments(0).variants(2).weight(), 2);
}

TEST(ParseExperimentsConfigTest, EmptyTextIsNoExperiments) {
  const absl::StatusOr<ExperimentsConfig> config = ParseExperimentsConfig("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->experiments_size(), 0);
}

TEST(ParseExperimentsConfigTest, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(ParseExperimentsConfig("experiments {\n  name: \"x\"\n  holdout "
                                     "0.1\n}\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("line 3, column 11: ")));
}

TEST(ParseExperimentsConfigTest, UnknownFieldIsAnError) {
  EXPECT_THAT(
      ParseExperimentsConfig("experiments {\n  nmae: \"x\"\n}\n"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("line 2, column 7: "), HasSubstr("nmae"))));
}

TEST(ParseExperimentsConfigTest, UnknownEnumNameIsAnError) {
  EXPECT_THAT(
      ParseExperimentsConfig("experiments { placements: PLACEMENT_CHECKOUT }"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("line 1, column "),
                     HasSubstr("PLACEMENT_CHECKOUT"))));
}

TEST(ParseExperimentsConfigTest, ValidationErrorsComeThrough) {
  EXPECT_THAT(ParseExperimentsConfig(R"pb(
                experiments {
                  name: "x"
                  placements: PLACEMENT_HOME
                  variants { name: "a" weight: 1 }
                  variants { name: "b" weight: 1 }
                  start { seconds: 1796083200 }
                }
                experiments {
                  name: "y"
                  placements: PLACEMENT_CART
                  variants { name: "a" weight: 0 }
                  variants { name: "b" weight: 1 }
                  start { seconds: 1796083200 }
                }
              )pb"),
              InvalidWith("experiments[1].variants[0].weight: must be > 0"));
}

TEST(VariantCacheTtlTest, UnsetIsTheServicesAndSetIsTheDuration) {
  const ExperimentsConfig config = ValidConfig();
  EXPECT_EQ(VariantCacheTtl(config.experiments(0).variants(0)), std::nullopt);
  EXPECT_EQ(VariantCacheTtl(config.experiments(1).variants(0)),
            absl::Minutes(5));
  EXPECT_EQ(VariantCacheTtl(config.experiments(1).variants(1)), absl::Hours(1));
}

TEST(ExperimentStateTest, ScheduledRunningStopped) {
  const ExperimentsConfig config = ValidConfig();
  const Experiment& home = config.experiments(0);
  EXPECT_EQ(ExperimentState(home, At(kDec1) - absl::Nanoseconds(1)),
            kStateScheduled);
  EXPECT_EQ(ExperimentState(home, At(kDec1)), kStateRunning);
  EXPECT_EQ(ExperimentState(home, At(kJan1) - absl::Nanoseconds(1)),
            kStateRunning);
  EXPECT_EQ(ExperimentState(home, At(kJan1)), kStateStopped);
  // Without a stop it never stops.
  const Experiment& product = config.experiments(1);
  EXPECT_EQ(ExperimentState(product, At(kJan1 + 86400 * 3650)), kStateRunning);
}

TEST(ExperimentSetTest, ActiveIsTheRunningExperimentOfThePlacement) {
  const absl::StatusOr<ExperimentSet> set =
      ExperimentSet::Create(ValidConfig());
  ASSERT_TRUE(set.ok()) << set.status();
  const Experiment* home = set->Active(PLACEMENT_HOME, At(kDec1 + 3600));
  ASSERT_THAT(home, NotNull());
  EXPECT_EQ(home->name(), "home-ranker");
  const Experiment* product = set->Active(PLACEMENT_PRODUCT, At(kDec1));
  ASSERT_THAT(product, NotNull());
  EXPECT_EQ(product->name(), "product_ttl");
  EXPECT_THAT(set->Active(PLACEMENT_CART, At(kDec1 + 3600)), IsNull());
  // Before the start and from the stop on: none.
  EXPECT_THAT(set->Active(PLACEMENT_HOME, At(kDec1 - 1)), IsNull());
  EXPECT_THAT(set->Active(PLACEMENT_HOME, At(kJan1)), IsNull());
}

TEST(ExperimentSetTest, ExperimentsInTurnOnOnePlacement) {
  ExperimentsConfig config = ValidConfig();
  Experiment* next = config.mutable_experiments(1);
  next->set_placements(0, PLACEMENT_HOME);
  next->mutable_start()->set_seconds(kJan1);
  const absl::StatusOr<ExperimentSet> set = ExperimentSet::Create(config);
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->Active(PLACEMENT_HOME, At(kJan1 - 1))->name(), "home-ranker");
  EXPECT_EQ(set->Active(PLACEMENT_HOME, At(kJan1))->name(), "product_ttl");
}

TEST(ExperimentSetTest, FindByNameWhateverTheState) {
  const absl::StatusOr<ExperimentSet> set =
      ExperimentSet::Create(ValidConfig());
  ASSERT_TRUE(set.ok()) << set.status();
  const Experiment* found = set->Find("home-ranker");
  ASSERT_THAT(found, NotNull());
  EXPECT_EQ(found->variants_size(), 3);
  EXPECT_THAT(set->Find("product_ttl"), NotNull());
  EXPECT_THAT(set->Find("home"), IsNull());
  EXPECT_THAT(set->Find(""), IsNull());
}

TEST(ExperimentSetTest, CreateValidatesAndFillsDefaults) {
  ExperimentsConfig config = ValidConfig();
  config.mutable_experiments(0)->mutable_variants(0)->set_weight(0);
  EXPECT_THAT(ExperimentSet::Create(config),
              InvalidWith("experiments[0].variants[0].weight: must be > 0"));
  const absl::StatusOr<ExperimentSet> set =
      ExperimentSet::Create(ValidConfig());
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Find("home-ranker")->shoppers_per_variant(), 1000);
  EXPECT_EQ(set->config().experiments_size(), 2);
}

TEST(ExperimentSetTest, EmptySetHasNothingActive) {
  const ExperimentSet set;
  EXPECT_THAT(set.Active(PLACEMENT_HOME, At(kDec1)), IsNull());
  EXPECT_THAT(set.Find("home-ranker"), IsNull());
}

TEST(ExperimentSetTest, CopiesPointIntoThemselves) {
  absl::StatusOr<ExperimentSet> original = ExperimentSet::Create(ValidConfig());
  ASSERT_TRUE(original.ok());
  const ExperimentSet copy = *original;
  const ExperimentSet moved = *std::move(original);
  const Experiment* in_copy = copy.Active(PLACEMENT_HOME, At(kDec1));
  const Experiment* in_moved = moved.Active(PLACEMENT_HOME, At(kDec1));
  ASSERT_THAT(in_copy, NotNull());
  ASSERT_THAT(in_moved, NotNull());
  EXPECT_EQ(in_copy, &copy.config().experiments(0));
  EXPECT_EQ(in_moved, &moved.config().experiments(0));
  EXPECT_EQ(copy.Find("product_ttl"), &copy.config().experiments(1));
}

}  // namespace
}  // namespace smartshop::recommender::experiments
