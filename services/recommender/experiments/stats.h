// The statistics of an experiment report: a proportion's 95 % Wilson score
// interval, the two-proportion z-test of a variant against the control, the
// difference of the two with its 95 % Wald interval, and the verdict at a
// fixed horizon (docs/experiments.md says why each).
//
// Every function is total: counts are sanitised first (negative trials are
// 0; successes are clamped into [0, trials]) and no result is NaN or
// infinite. Where the data cannot say anything the result says so in a
// defined way, documented per function (an empty sample has the interval
// [0, 1]; a test without variance has z = 0 and p = 1).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_STATS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_STATS_H_

#include <cstdint>

#include "smartshop/v1/experiments.pb.h"

namespace smartshop::recommender::experiments {

// The two-sided 95 % normal quantile, Φ⁻¹(0.975).
inline constexpr double kZ95 = 1.959963984540054;
// The significance level of the verdict.
inline constexpr double kSignificance = 0.05;
// The fixed horizon when Experiment.shoppers_per_variant is 0.
inline constexpr int64_t kDefaultShoppersPerVariant = 1000;

// successes out of trials (shoppers who converted among those assigned, or
// clicks among impressed items).
struct Proportion {
  int64_t successes = 0;
  int64_t trials = 0;
};

struct Interval {
  double low = 0;
  double high = 0;
};

// successes / trials; 0 when there are no trials.
double Value(Proportion p);

// The 95 % Wilson score interval, inside [0, 1]. It stays informative at 0
// and at all successes (0/n gives [0, z²/(n+z²)], not the Wald interval's
// [0, 0]). No trials: [0, 1], nothing is known.
Interval WilsonInterval(Proportion p);

struct ZTest {
  // (treatment - control) / pooled standard error: > 0 when the treatment
  // converts more.
  double z = 0;
  // Two-sided: P(|Z| >= |z|) under the null of equal proportions.
  double p_value = 1;
};

// The two-proportion z-test with the pooled standard error (R's
// prop.test(correct = FALSE): its X-squared is z²). When either sample is
// empty, or the pooled rate is 0 or 1 (no variance: nothing to tell apart),
// z = 0 and p_value = 1.
ZTest TwoProportionZTest(Proportion control, Proportion treatment);

struct Difference {
  // Value(treatment) - Value(control).
  double value = 0;
  // 95 % Wald interval with the unpooled standard error, clamped to
  // [-1, 1]. Either sample empty: value 0 and [-1, 1]. Both samples at 0 or
  // all successes (no variance): [value, value] — the Wald interval's known
  // blind spot, which the verdict does not rely on.
  double low = 0;
  double high = 0;
};

Difference DifferenceOfProportions(Proportion control, Proportion treatment);

// The verdict on `treatment` against `control` at a fixed horizon: NOT_YET
// while either has fewer trials than shoppers_per_variant (no peeking);
// then BETTER or WORSE when the z-test's p < 0.05, by the sign of the
// difference, else NO_DIFFERENCE. shoppers_per_variant <= 0 means
// kDefaultShoppersPerVariant (the config's default), never "no horizon".
smartshop::v1::Verdict Judge(Proportion control, Proportion treatment,
                             int64_t shoppers_per_variant);

// The proto Rate of `p`: counts (sanitised), value and Wilson interval.
void FillRate(Proportion p, smartshop::v1::Rate* rate);
smartshop::v1::Rate ToRate(Proportion p);

// The comparison fields of a VariantReport on shopper conversion:
// shopper_conversion, lift (the difference), lift_low, lift_high, p_value
// and verdict. With is_control the variant is the control itself: lift 0
// with [0, 0], p_value 1 and VERDICT_CONTROL.
void FillComparison(Proportion control, Proportion variant,
                    int64_t shoppers_per_variant, bool is_control,
                    smartshop::v1::VariantReport* report);

}  // namespace smartshop::recommender::experiments

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_EXPERIMENTS_STATS_H_
