#include "tools/cli/report_view.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/import/text_table.h"

namespace smartshop::cli {
namespace {

using import::TextTable;
// (experiments_commands.cc has its own kRight: one unit in unity builds.)
constexpr auto kRightAligned = TextTable::Align::kRight;

}  // namespace

std::string Percent(double value) {
  return absl::StrFormat("%.2f%%", 100 * value);
}

// "4.00% [3.10, 5.20]"
namespace {

std::string RateText(const smartshop::v1::Rate& rate) {
  return absl::StrFormat("%.2f%% [%.2f, %.2f]", 100 * rate.value(),
                         100 * rate.low(), 100 * rate.high());
}

std::string VerdictText(smartshop::v1::Verdict verdict) {
  switch (verdict) {
    case smartshop::v1::VERDICT_NOT_YET:
      return "not yet";
    case smartshop::v1::VERDICT_NO_DIFFERENCE:
      return "no difference";
    case smartshop::v1::VERDICT_BETTER:
      return "better";
    case smartshop::v1::VERDICT_WORSE:
      return "worse";
    case smartshop::v1::VERDICT_CONTROL:
      return "control";
    default:
      return "?";
  }
}

}  // namespace

std::string ExperimentReportTable(
    const smartshop::v1::ExperimentReport& report) {
  TextTable table({{"variant"},
                   {"shoppers", kRightAligned},
                   {"impressions", kRightAligned},
                   {"clicks", kRightAligned},
                   {"CTR [95% CI]", kRightAligned},
                   {"cart/click", kRightAligned},
                   {"order/click", kRightAligned},
                   {"rev/1000 impr", kRightAligned},
                   {"shopper conv. [95% CI]", kRightAligned},
                   {"lift [95% CI]", kRightAligned},
                   {"p", kRightAligned},
                   {"verdict"},
                   {"model calls", kRightAligned},
                   {"cost $", kRightAligned},
                   {"p50/p99 ms", kRightAligned}});
  for (const auto& v : report.variants()) {
    table.AddRow(
        {v.variant(), absl::StrCat(v.shoppers()),
         absl::StrCat(v.impressed_items()), absl::StrCat(v.clicks()),
         RateText(v.ctr()), Percent(v.add_to_cart_rate().value()),
         Percent(v.conversion_rate().value()),
         absl::StrFormat("%.2f",
                         v.revenue_per_1000_impressions_cents() / 100.0),
         RateText(v.shopper_conversion()),
         v.verdict() == smartshop::v1::VERDICT_CONTROL ||
                 v.variant() == "holdout"
             ? "-"
             : absl::StrFormat("%+.2f [%+.2f, %+.2f]", 100 * v.lift(),
                               100 * v.lift_low(), 100 * v.lift_high()),
         v.verdict() == smartshop::v1::VERDICT_CONTROL ||
                 v.variant() == "holdout"
             ? "-"
             : absl::StrFormat("%.4f", v.p_value()),
         v.variant() == "holdout" ? "-" : VerdictText(v.verdict()),
         absl::StrCat(v.model_calls()),
         absl::StrFormat("%.4f", v.model_cost_usd()),
         absl::StrFormat("%.1f/%.1f", v.latency_p50_ms(), v.latency_p99_ms())});
  }
  return table.Render();
}

}  // namespace smartshop::cli
