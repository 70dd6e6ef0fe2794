#include "tests/dashboard/dashboard_fixture.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"

namespace smartshop::testing {
namespace {

using recommender::DashboardData;

struct Counts {
  const char* key;
  int64_t served_answers, served_items, impressed_items, clicks, add_to_carts,
      orders, revenue_cents, shoppers, shoppers_clicked, shoppers_converted,
      model_calls;
  double model_cost_usd, latency_p50_ms, latency_p99_ms;
  int64_t cache_hits, fallbacks, distinct_products;
};

void AddRow(v1::GetInsightsResponse& response, const Counts& c) {
  v1::InsightsRow* row = response.add_rows();
  row->set_key(c.key);
  row->set_served_answers(c.served_answers);
  row->set_served_items(c.served_items);
  row->set_impressed_items(c.impressed_items);
  row->set_clicks(c.clicks);
  row->set_add_to_carts(c.add_to_carts);
  row->set_orders(c.orders);
  row->set_revenue_cents(c.revenue_cents);
  row->set_shoppers(c.shoppers);
  row->set_shoppers_clicked(c.shoppers_clicked);
  row->set_shoppers_converted(c.shoppers_converted);
  row->set_model_calls(c.model_calls);
  row->set_model_cost_usd(c.model_cost_usd);
  row->set_latency_p50_ms(c.latency_p50_ms);
  row->set_latency_p99_ms(c.latency_p99_ms);
  row->set_cache_hits(c.cache_hits);
  row->set_fallbacks(c.fallbacks);
  row->set_distinct_products(c.distinct_products);
}

void SetRate(v1::Rate* rate, int64_t successes, int64_t trials, double low,
             double high) {
  rate->set_successes(successes);
  rate->set_trials(trials);
  rate->set_value(static_cast<double>(successes) / trials);
  rate->set_low(low);
  rate->set_high(high);
}

struct Variant {
  const char* name;
  v1::VariantRanker ranker;
  int64_t shoppers, converted, impressed, clicks;
  double low, high, lift, lift_low, lift_high, p_value;
  v1::Verdict verdict;
};

v1::ExperimentReport HomeRankerReport(absl::Time until) {
  v1::ExperimentReport report;
  v1::Experiment* experiment = report.mutable_experiment();
  experiment->set_name("home-ranker");
  experiment->add_placements(v1::PLACEMENT_HOME);
  experiment->set_shoppers_per_variant(1000);
  *experiment->mutable_start() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          absl::ToUnixSeconds(until - absl::Hours(24 * 12)));
  const Variant variants[] = {
      {"builtin", v1::VARIANT_RANKER_BUILTIN, 1400, 115, 10500, 420, 0.0689,
       0.0977, 0, 0, 0, 1, v1::VERDICT_CONTROL},
      {"model", v1::VARIANT_RANKER_MODEL, 1380, 151, 10350, 538, 0.0939, 0.1272,
       0.0273, 0.0048, 0.0498, 0.0172, v1::VERDICT_BETTER},
      {"top-sellers", v1::VARIANT_RANKER_TOP_SELLERS, 1410, 104, 10575, 360,
       0.0612, 0.0886, -0.0083, -0.0287, 0.0121, 0.4250,
       v1::VERDICT_NO_DIFFERENCE},
  };
  for (const Variant& v : variants) {
    v1::ExperimentVariant* config = experiment->add_variants();
    config->set_name(v.name);
    config->set_weight(1);
    config->set_ranker(v.ranker);
    v1::VariantReport* out = report.add_variants();
    out->set_variant(v.name);
    out->set_shoppers(v.shoppers);
    out->set_served_answers(v.shoppers * 3 / 2);
    out->set_impressed_items(v.impressed);
    out->set_clicks(v.clicks);
    out->set_add_to_carts(v.converted);
    out->set_orders(v.converted * 2 / 5);
    out->set_revenue_cents(v.converted * 2 / 5 * 4200);
    SetRate(out->mutable_ctr(), v.clicks, v.impressed, 0, 0);
    out->mutable_ctr()->set_low(out->ctr().value() * 0.9);
    out->mutable_ctr()->set_high(out->ctr().value() * 1.1);
    SetRate(out->mutable_shopper_conversion(), v.converted, v.shoppers, v.low,
            v.high);
    out->set_lift(v.lift);
    out->set_lift_low(v.lift_low);
    out->set_lift_high(v.lift_high);
    out->set_p_value(v.p_value);
    out->set_verdict(v.verdict);
    const bool model = v.ranker == v1::VARIANT_RANKER_MODEL;
    out->set_model_calls(model ? 1900 : 0);
    out->set_model_cost_usd(model ? 5.70 : 0);
    out->set_latency_p50_ms(model ? 180 : 12);
    out->set_latency_p99_ms(model ? 820 : 95);
  }
  *report.mutable_since() = experiment->start();
  *report.mutable_until() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          absl::ToUnixSeconds(until));
  report.set_state("running");
  return report;
}

}  // namespace

DashboardData FixtureDashboardData(absl::string_view range, absl::Time until) {
  DashboardData data;
  data.range = std::string(range);
  data.until = until;
  data.since = until - absl::Hours(24 * 7);
  data.catalog_active_products = 1200;

  AddRow(data.by_placement,
         {"PLACEMENT_HOME", 5200, 41600, 31200, 1092, 240, 96, 412800, 2100,
          700, 189, 1800, 5.40, 42.5, 310.0, 2900, 35, 412});
  AddRow(data.by_placement,
         {"PLACEMENT_PRODUCT", 8300, 49800, 41500, 2075, 410, 150, 651000, 3400,
          1300, 374, 2600, 7.80, 38.1, 280.0, 4400, 52, 655});

  AddRow(data.by_strategy,
         {"STRATEGY_MODEL", 4400, 35200, 28000, 1400, 300, 120, 540000, 2300,
          800, 253, 4400, 13.20, 180.0, 820.0, 1500, 0, 590});
  AddRow(data.by_strategy,
         {"STRATEGY_BUILTIN", 6100, 41600, 33200, 1328, 260, 90, 380000, 2500,
          780, 225, 0, 0, 12.0, 95.0, 4200, 87, 520});
  AddRow(data.by_strategy,
         {"STRATEGY_FALLBACK", 3000, 14600, 11500, 439, 90, 36, 143800, 1200,
          300, 85, 0, 0, 4.0, 20.0, 1600, 0, 60});

  // Seven days, traffic and CTR rising, as a shop after a campaign.
  for (int i = 0; i < 7; ++i) {
    const absl::Time day = data.since + absl::Hours(24 * i);
    const std::string key =
        absl::FormatTime("%Y-%m-%d", day, absl::UTCTimeZone());
    const int64_t served = 1700 + 150 * i;
    const int64_t impressed = served * 5;
    const int64_t clicks = std::lround(impressed * (0.038 + 0.002 * i));
    const int64_t shoppers = served * 2 / 5;
    const int64_t model_calls = 550 + 20 * i;
    AddRow(data.by_day,
           {key.c_str(), served, served * 7, impressed, clicks, clicks / 5,
            clicks / 12, clicks / 12 * 4300, shoppers, shoppers / 3,
            shoppers / 10, model_calls, model_calls * 0.003, 40.0 + i,
            290.0 + 5 * i, served * 55 / 100, 10 + i, 300 + 10 * i});
  }

  // CTR falls with the slot: what click-position analysis shows.
  for (int position = 1; position <= 8; ++position) {
    const std::string key = absl::StrCat(position);
    const int64_t impressed = 9000 - 700 * (position - 1);
    const int64_t clicks = std::lround(impressed * 0.08 / position);
    AddRow(data.by_position,
           {key.c_str(), 0, 13500, impressed, clicks, clicks / 5, clicks / 12,
            clicks / 12 * 4300, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  }

  for (v1::GetInsightsResponse* response :
       {&data.by_placement, &data.by_strategy, &data.by_day,
        &data.by_position}) {
    auto& codes = *response->mutable_fallbacks_by_code();
    for (const auto& [code, count] :
         {std::pair<std::string, int64_t>{"model_timeout", 51},
          {"model_rate_limited", 23},
          {"model_unavailable", 13}}) {
      codes[code] = count;
    }
    response->set_unknown_recommendation_ids(17);
  }
  data.experiments.push_back(HomeRankerReport(until));
  return data;
}

absl::StatusOr<recommender::DashboardData> FixtureDashboardSource::Load(
    absl::string_view range, absl::Time /*deadline*/) {
  if (empty_) {
    DashboardData data;
    data.range = std::string(range);
    return data;
  }
  return FixtureDashboardData(range, absl::FromUnixSeconds(1796169600));
}

}  // namespace smartshop::testing
