#include "services/recommender/experiments/stats.h"

#include <algorithm>
#include <cmath>

namespace smartshop::recommender::experiments {
namespace {

using smartshop::v1::Verdict;

Proportion Sanitised(Proportion p) {
  p.trials = std::max<int64_t>(p.trials, 0);
  p.successes = std::clamp<int64_t>(p.successes, 0, p.trials);
  return p;
}

double Clamp(double x, double low, double high) {
  return std::min(std::max(x, low), high);
}

}  // namespace

double Value(Proportion p) {
  p = Sanitised(p);
  if (p.trials == 0) return 0;
  return static_cast<double>(p.successes) / static_cast<double>(p.trials);
}

Interval WilsonInterval(Proportion p) {
  p = Sanitised(p);
  if (p.trials == 0) return {0, 1};
  const double n = static_cast<double>(p.trials);
  const double rate = Value(p);
  const double z2 = kZ95 * kZ95;
  const double denominator = 1 + z2 / n;
  const double center = (rate + z2 / (2 * n)) / denominator;
  const double half =
      kZ95 * std::sqrt(rate * (1 - rate) / n + z2 / (4 * n * n)) / denominator;
  Interval interval{Clamp(center - half, 0, 1), Clamp(center + half, 0, 1)};
  // Exact at the ends, where the two terms cancel up to rounding.
  if (p.successes == 0) interval.low = 0;
  if (p.successes == p.trials) interval.high = 1;
  return interval;
}

ZTest TwoProportionZTest(Proportion control, Proportion treatment) {
  control = Sanitised(control);
  treatment = Sanitised(treatment);
  if (control.trials == 0 || treatment.trials == 0) return {};
  const double n1 = static_cast<double>(control.trials);
  const double n2 = static_cast<double>(treatment.trials);
  const double pooled = (static_cast<double>(control.successes) +
                         static_cast<double>(treatment.successes)) /
                        (n1 + n2);
  const double variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (!(variance > 0)) return {};
  const double z = (Value(treatment) - Value(control)) / std::sqrt(variance);
  // P(|Z| >= |z|) = erfc(|z| / √2), accurate far into the tail where
  // 2 * (1 - Φ(|z|)) would round to 0.
  return {z, std::erfc(std::abs(z) / std::sqrt(2.0))};
}

Difference DifferenceOfProportions(Proportion control, Proportion treatment) {
  control = Sanitised(control);
  treatment = Sanitised(treatment);
  if (control.trials == 0 || treatment.trials == 0) return {0, -1, 1};
  const double p1 = Value(control);
  const double p2 = Value(treatment);
  const double se =
      std::sqrt(p1 * (1 - p1) / static_cast<double>(control.trials) +
                p2 * (1 - p2) / static_cast<double>(treatment.trials));
  const double d = p2 - p1;
  return {d, Clamp(d - kZ95 * se, -1, 1), Clamp(d + kZ95 * se, -1, 1)};
}

Verdict Judge(Proportion control, Proportion treatment,
              int64_t shoppers_per_variant) {
  control = Sanitised(control);
  treatment = Sanitised(treatment);
  const int64_t horizon = shoppers_per_variant > 0 ? shoppers_per_variant
                                                   : kDefaultShoppersPerVariant;
  if (control.trials < horizon || treatment.trials < horizon) {
    return smartshop::v1::VERDICT_NOT_YET;
  }
  const ZTest test = TwoProportionZTest(control, treatment);
  if (!(test.p_value < kSignificance)) {
    return smartshop::v1::VERDICT_NO_DIFFERENCE;
  }
  // p < 0.05 implies z != 0, whose sign is the difference's.
  return test.z > 0 ? smartshop::v1::VERDICT_BETTER
                    : smartshop::v1::VERDICT_WORSE;
}

void FillRate(Proportion p, smartshop::v1::Rate* rate) {
  p = Sanitised(p);
  const Interval interval = WilsonInterval(p);
  rate->set_successes(p.successes);
  rate->set_trials(p.trials);
  rate->set_value(Value(p));
  rate->set_low(interval.low);
  rate->set_high(interval.high);
}

smartshop::v1::Rate ToRate(Proportion p) {
  smartshop::v1::Rate rate;
  FillRate(p, &rate);
  return rate;
}

void FillComparison(Proportion control, Proportion variant,
                    int64_t shoppers_per_variant, bool is_control,
                    smartshop::v1::VariantReport* report) {
  FillRate(variant, report->mutable_shopper_conversion());
  if (is_control) {
    report->set_lift(0);
    report->set_lift_low(0);
    report->set_lift_high(0);
    report->set_p_value(1);
    report->set_verdict(smartshop::v1::VERDICT_CONTROL);
    return;
  }
  const Difference difference = DifferenceOfProportions(control, variant);
  report->set_lift(difference.value);
  report->set_lift_low(difference.low);
  report->set_lift_high(difference.high);
  report->set_p_value(TwoProportionZTest(control, variant).p_value);
  report->set_verdict(Judge(control, variant, shoppers_per_variant));
}

}  // namespace smartshop::recommender::experiments
