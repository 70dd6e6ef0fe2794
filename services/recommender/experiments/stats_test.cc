#include "services/recommender/experiments/stats.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace smartshop::recommender::experiments {
namespace {

using smartshop::v1::VERDICT_BETTER;
using smartshop::v1::VERDICT_CONTROL;
using smartshop::v1::VERDICT_NO_DIFFERENCE;
using smartshop::v1::VERDICT_NOT_YET;
using smartshop::v1::VERDICT_WORSE;

// Published values are given to 4 decimals.
constexpr double kFourDecimals = 5e-5;

TEST(WilsonIntervalTest, MatchesPublishedValues) {
  // 10/100: the textbook example.
  Interval i = WilsonInterval({10, 100});
  EXPECT_NEAR(i.low, 0.0552, kFourDecimals);
  EXPECT_NEAR(i.high, 0.1744, kFourDecimals);
  // Newcombe (1998), Statistics in Medicine 17:857, table I, method 3.
  i = WilsonInterval({81, 263});
  EXPECT_NEAR(i.low, 0.2553, kFourDecimals);
  EXPECT_NEAR(i.high, 0.3662, kFourDecimals);
  i = WilsonInterval({15, 148});
  EXPECT_NEAR(i.low, 0.0624, kFourDecimals);
  EXPECT_NEAR(i.high, 0.1605, kFourDecimals);
  i = WilsonInterval({1, 29});
  EXPECT_NEAR(i.low, 0.0061, kFourDecimals);
  EXPECT_NEAR(i.high, 0.1718, kFourDecimals);
}

TEST(WilsonIntervalTest, NoSuccessesStartsAtExactlyZero) {
  const Interval i = WilsonInterval({0, 20});
  EXPECT_EQ(i.low, 0.0);
  EXPECT_NEAR(i.high, 0.1611, kFourDecimals);  // Newcombe (1998), 0/20.
  // The closed form of the upper end at 0 successes: z²/(n + z²).
  EXPECT_NEAR(i.high, kZ95 * kZ95 / (20 + kZ95 * kZ95), 1e-12);
}

TEST(WilsonIntervalTest, AllSuccessesEndsAtExactlyOne) {
  const Interval i = WilsonInterval({29, 29});
  EXPECT_EQ(i.high, 1.0);
  // Mirror of 0/29.
  EXPECT_NEAR(i.low, 1 - WilsonInterval({0, 29}).high, 1e-12);
  EXPECT_LT(i.low, 1.0);
}

TEST(WilsonIntervalTest, NoTrialsIsTheWholeRange) {
  const Interval i = WilsonInterval({0, 0});
  EXPECT_EQ(i.low, 0.0);
  EXPECT_EQ(i.high, 1.0);
  EXPECT_EQ(Value({0, 0}), 0.0);
}

TEST(WilsonIntervalTest, LargerSampleShrinksTheInterval) {
  const Interval small = WilsonInterval({10, 100});
  const Interval medium = WilsonInterval({100, 1000});
  const Interval large = WilsonInterval({1000, 10000});
  EXPECT_LT(medium.high - medium.low, small.high - small.low);
  EXPECT_LT(large.high - large.low, medium.high - medium.low);
  // Roughly as 1/√n: ten times the sample, a third of the width.
  EXPECT_NEAR((large.high - large.low) / (medium.high - medium.low),
              1 / std::sqrt(10.0), 0.01);
  EXPECT_LT(large.low, 0.1);
  EXPECT_GT(large.high, 0.1);
}

TEST(WilsonIntervalTest, SanitisesImpossibleCounts) {
  // More successes than trials: all successes; negative: none.
  EXPECT_EQ(Value({12, 10}), 1.0);
  EXPECT_EQ(WilsonInterval({12, 10}).high, 1.0);
  EXPECT_EQ(Value({-3, 10}), 0.0);
  const Interval negative = WilsonInterval({5, -10});
  EXPECT_EQ(negative.low, 0.0);
  EXPECT_EQ(negative.high, 1.0);
}

TEST(WilsonIntervalTest, HugeCountsStayFinite) {
  const int64_t n = std::numeric_limits<int64_t>::max();
  const Interval i = WilsonInterval({n / 2, n});
  EXPECT_TRUE(std::isfinite(i.low));
  EXPECT_TRUE(std::isfinite(i.high));
  EXPECT_NEAR(i.low, 0.5, 1e-6);
  EXPECT_NEAR(i.high, 0.5, 1e-6);
}

TEST(TwoProportionZTest, MatchesRPropTestWithoutCorrection) {
  // prop.test(c(15, 25), c(50, 50), correct = FALSE):
  //   X-squared = 4.1667, df = 1, p-value = 0.04123
  ZTest t = TwoProportionZTest({15, 50}, {25, 50});
  EXPECT_NEAR(t.z * t.z, 4.1667, kFourDecimals);
  EXPECT_GT(t.z, 0);
  EXPECT_NEAR(t.p_value, 0.041227, 1e-5);
  // prop.test(c(56, 48), c(70, 80), correct = FALSE): X-squared = 7.0234,
  // p-value = 0.008045. Here 48/80 is the control: the treatment is better.
  t = TwoProportionZTest({48, 80}, {56, 70});
  EXPECT_NEAR(t.z * t.z, 7.0234, kFourDecimals);
  EXPECT_NEAR(t.p_value, 0.008045, 1e-5);
}

TEST(TwoProportionZTest, MatchesHandComputation) {
  // 100/1000 against 130/1000: pooled 0.115, se = √(0.115 · 0.885 · 2/1000)
  // = 0.0142671, z = 0.03 / se = 2.10274, p = erfc(z/√2) = 0.035488.
  const ZTest t = TwoProportionZTest({100, 1000}, {130, 1000});
  EXPECT_NEAR(t.z, 2.10274, 1e-5);
  EXPECT_NEAR(t.p_value, 0.035488, 1e-5);
  // Swapped: same p, opposite sign.
  const ZTest swapped = TwoProportionZTest({130, 1000}, {100, 1000});
  EXPECT_NEAR(swapped.z, -2.10274, 1e-5);
  EXPECT_DOUBLE_EQ(swapped.p_value, t.p_value);
}

TEST(TwoProportionZTest, EqualRatesGiveZZeroAndPOne) {
  const ZTest t = TwoProportionZTest({50, 500}, {100, 1000});
  EXPECT_DOUBLE_EQ(t.z, 0);
  EXPECT_DOUBLE_EQ(t.p_value, 1);
}

TEST(TwoProportionZTest, NoVarianceOrNoTrialsIsNotSignificant) {
  for (const auto& [control, treatment] :
       {std::pair<Proportion, Proportion>{{0, 0}, {10, 100}},
        {{10, 100}, {0, 0}},
        {{0, 100}, {0, 200}},
        {{100, 100}, {200, 200}}}) {
    const ZTest t = TwoProportionZTest(control, treatment);
    EXPECT_EQ(t.z, 0.0);
    EXPECT_EQ(t.p_value, 1.0);
  }
}

TEST(TwoProportionZTest, FarTailIsTinyButPositive) {
  // z ≈ 39: 1 - Φ(z) would round to 0; erfc keeps the value.
  const ZTest t = TwoProportionZTest({0, 10000}, {1000, 10000});
  EXPECT_GT(t.z, 30);
  EXPECT_GT(t.p_value, 0);
  EXPECT_LT(t.p_value, 1e-100);
}

TEST(DifferenceOfProportionsTest, MatchesNewcombeWaldExample) {
  // Newcombe (1998), Statistics in Medicine 17:873, example (a):
  // 56/70 - 48/80 = 0.2000, method 1 (Wald) 0.0575 to 0.3425.
  const Difference d = DifferenceOfProportions({48, 80}, {56, 70});
  EXPECT_NEAR(d.value, 0.2, 1e-12);
  EXPECT_NEAR(d.low, 0.0575, kFourDecimals);
  EXPECT_NEAR(d.high, 0.3425, kFourDecimals);
}

TEST(DifferenceOfProportionsTest, IsNegativeWhenTheTreatmentIsWorse) {
  const Difference d = DifferenceOfProportions({56, 70}, {48, 80});
  EXPECT_NEAR(d.value, -0.2, 1e-12);
  EXPECT_NEAR(d.low, -0.3425, kFourDecimals);
  EXPECT_NEAR(d.high, -0.0575, kFourDecimals);
}

TEST(DifferenceOfProportionsTest, EdgeCasesAreDefined) {
  Difference d = DifferenceOfProportions({0, 0}, {5, 10});
  EXPECT_EQ(d.value, 0.0);
  EXPECT_EQ(d.low, -1.0);
  EXPECT_EQ(d.high, 1.0);
  // No variance on either side: a point.
  d = DifferenceOfProportions({0, 10}, {10, 10});
  EXPECT_EQ(d.value, 1.0);
  EXPECT_EQ(d.low, 1.0);
  EXPECT_EQ(d.high, 1.0);
  // Clamped to [-1, 1].
  d = DifferenceOfProportions({0, 2}, {1, 2});
  EXPECT_GE(d.low, -1.0);
  EXPECT_LE(d.high, 1.0);
  EXPECT_EQ(d.high, 1.0);
}

TEST(JudgeTest, NotYetBeforeTheHorizonHoweverLargeTheDifference) {
  EXPECT_EQ(Judge({0, 999}, {999, 999}, 1000), VERDICT_NOT_YET);
  EXPECT_EQ(Judge({0, 5000}, {900, 999}, 1000), VERDICT_NOT_YET);
  EXPECT_EQ(Judge({0, 999}, {1000, 5000}, 1000), VERDICT_NOT_YET);
}

TEST(JudgeTest, BetterWorseOrNoDifferenceAtTheHorizon) {
  // p = 0.0355 (above).
  EXPECT_EQ(Judge({100, 1000}, {130, 1000}, 1000), VERDICT_BETTER);
  EXPECT_EQ(Judge({130, 1000}, {100, 1000}, 1000), VERDICT_WORSE);
  // p = 0.153.
  EXPECT_EQ(Judge({100, 1000}, {120, 1000}, 1000), VERDICT_NO_DIFFERENCE);
  EXPECT_EQ(Judge({100, 1000}, {100, 1000}, 1000), VERDICT_NO_DIFFERENCE);
  // Nobody converts anywhere: no difference, not an error.
  EXPECT_EQ(Judge({0, 1000}, {0, 1000}, 1000), VERDICT_NO_DIFFERENCE);
}

TEST(JudgeTest, ZeroHorizonMeansTheDefaultNotNone) {
  EXPECT_EQ(Judge({0, kDefaultShoppersPerVariant - 1},
                  {500, kDefaultShoppersPerVariant - 1}, 0),
            VERDICT_NOT_YET);
  EXPECT_EQ(Judge({100, 1000}, {130, 1000}, 0), VERDICT_BETTER);
  EXPECT_EQ(Judge({0, 10}, {10, 10}, -5), VERDICT_NOT_YET);
}

TEST(FillRateTest, FillsCountsValueAndInterval) {
  const smartshop::v1::Rate rate = ToRate({10, 100});
  EXPECT_EQ(rate.successes(), 10);
  EXPECT_EQ(rate.trials(), 100);
  EXPECT_DOUBLE_EQ(rate.value(), 0.1);
  EXPECT_NEAR(rate.low(), 0.0552, kFourDecimals);
  EXPECT_NEAR(rate.high(), 0.1744, kFourDecimals);
}

TEST(FillRateTest, StoresTheSanitisedCounts) {
  smartshop::v1::Rate rate;
  FillRate({15, 10}, &rate);
  EXPECT_EQ(rate.successes(), 10);
  EXPECT_EQ(rate.trials(), 10);
  EXPECT_EQ(rate.value(), 1.0);
}

TEST(FillComparisonTest, FillsLiftPValueAndVerdict) {
  smartshop::v1::VariantReport report;
  FillComparison({100, 1000}, {130, 1000}, 1000, /*is_control=*/false, &report);
  EXPECT_EQ(report.shopper_conversion().successes(), 130);
  EXPECT_EQ(report.shopper_conversion().trials(), 1000);
  EXPECT_NEAR(report.lift(), 0.03, 1e-12);
  EXPECT_LT(report.lift_low(), 0.03);
  EXPECT_GT(report.lift_low(), 0);
  EXPECT_GT(report.lift_high(), 0.03);
  EXPECT_NEAR(report.p_value(), 0.035488, 1e-5);
  EXPECT_EQ(report.verdict(), VERDICT_BETTER);
}

TEST(FillComparisonTest, TheControlIsMarkedAsSuch) {
  smartshop::v1::VariantReport report;
  FillComparison({100, 1000}, {100, 1000}, 1000, /*is_control=*/true, &report);
  EXPECT_EQ(report.shopper_conversion().successes(), 100);
  EXPECT_EQ(report.lift(), 0.0);
  EXPECT_EQ(report.p_value(), 1.0);
  EXPECT_EQ(report.verdict(), VERDICT_CONTROL);
}

}  // namespace
}  // namespace smartshop::recommender::experiments
