#include "tools/eval/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "tools/import/text_table.h"

namespace smartshop::eval {
namespace {

using import::TextTable;

constexpr char kPerUserCaveat[] =
    "training holds every other user's ratings, later ones included: the "
    "future leaks in, which flatters methods that learn from other users";

std::string Title(Protocol protocol) {
  return protocol == Protocol::kPerUser
             ? "Protocol 2: per-user temporal hold-out"
             : "Protocol 1: global time split";
}

std::string Description(const ProtocolResult& r) {
  if (r.protocol == Protocol::kPerUser) {
    return absl::StrFormat(
        "each user's last %g%% of ratings (by time) held out; users judged "
        "on held-out movies rated >= 4 that they had not rated in training, "
        "at their last training rating",
        kHoldoutFraction * 100);
  }
  return absl::StrFormat(
      "T = %s (the %g%% quantile of rating times); train = ratings before "
      "T; users who rated before T judged on movies they rated >= 4 from T "
      "on and had not rated before, all at T",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                       absl::FromUnixSeconds(r.global_cut),
                       absl::UTCTimeZone()),
      kGlobalCutQuantile * 100);
}

boost::json::array SkippedJson(const import::SkipTally& skipped) {
  boost::json::array groups;
  for (const import::SkipTally::Group& group : skipped.groups()) {
    boost::json::array examples;
    for (const std::string& example : group.examples) {
      examples.emplace_back(example);
    }
    groups.push_back(boost::json::object{{"reason", group.reason},
                                         {"count", group.count},
                                         {"examples", std::move(examples)}});
  }
  return groups;
}

std::string PlacementTitle(const PlacementResult& r) {
  return absl::StrCat(r.placement == Placement::kProductPage
                          ? "Product page: given a shopper's previous "
                            "purchase, the next one"
                          : "Cart: leave-one-out within a basket",
                      " (", r.dataset, ")");
}

std::string PlacementDescription(const PlacementResult& r) {
  const std::string cut =
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                       absl::FromUnixSeconds(r.cases.cut), absl::UTCTimeZone());
  if (r.placement == Placement::kProductPage) {
    return absl::StrFormat(
        "each purchase from %s (the %g%% quantile of purchase times) by a "
        "shopper who bought another product just before it (not guests, not "
        "the same product again), given that product; every method has "
        "learnt every event before the purchase's time; %d questions, %d "
        "purchases from the cut asked nothing",
        cut, kGlobalCutQuantile * 100, r.questions, r.cases.no_question);
  }
  return absl::StrFormat(
      "each basket (%s) begun from %s (the %g%% quantile of purchase "
      "times) with 2 to %d distinct products, each product held out in "
      "turn, given the others; every method has learnt every event before "
      "the basket's first purchase; %d baskets, %d questions; %d baskets of "
      "one product and %d of more than %d skipped",
      r.dataset == "movielens" ? "a user's purchases of one UTC day"
                               : "an invoice",
      cut, kGlobalCutQuantile * 100, kMaxCartItems, r.cases.baskets,
      r.questions, r.cases.no_question, r.cases.baskets_too_large,
      kMaxCartItems);
}

double Value(const MethodResult& m, Metric metric) {
  switch (metric) {
    case Metric::kHitRate:
      return m.scores.hit_rate;
    case Metric::kNdcg:
      return m.scores.ndcg;
    case Metric::kCoverage:
      return m.scores.coverage;
  }
  return 0;
}

constexpr std::pair<Metric, const char*> kMetrics[] = {
    {Metric::kHitRate, "hr_at_8"},
    {Metric::kNdcg, "ndcg_at_8"},
    {Metric::kCoverage, "coverage"}};

boost::json::object MethodsJson(const std::vector<MethodResult>& methods) {
  boost::json::object out;
  for (const MethodResult& m : methods) {
    out[m.key] =
        boost::json::object{{"name", m.name},
                            {"hr_at_8", m.scores.hit_rate},
                            {"ndcg_at_8", m.scores.ndcg},
                            {"coverage", m.scores.coverage},
                            {"category_diversity", m.scores.category_diversity},
                            {"seconds", absl::ToDoubleSeconds(m.time)}};
  }
  return out;
}

boost::json::object PlacementJson(const PlacementResult& r) {
  boost::json::object best;
  boost::json::object ratios;
  for (const auto& [metric, key] : kMetrics) {
    const MethodResult* baseline = BestBaseline(r, metric);
    best[key] = baseline == nullptr ? "" : baseline->key;
    ratios[key] = BuiltinOverBestBaseline(r, metric);
  }
  return boost::json::object{{"description", PlacementDescription(r)},
                             {"cut", r.cases.cut},
                             {"events", r.events},
                             {"questions", r.questions},
                             {"no_question", r.cases.no_question},
                             {"baskets", r.cases.baskets},
                             {"baskets_too_large", r.cases.baskets_too_large},
                             {"methods", MethodsJson(r.methods)},
                             {"best_baseline", std::move(best)},
                             {"builtin_over_best_baseline", std::move(ratios)}};
}

boost::json::object PlacementsJson(
    const std::vector<PlacementResult>& placements) {
  boost::json::object out;
  for (const PlacementResult& r : placements) {
    out[PlacementKey(r.placement)] = PlacementJson(r);
  }
  return out;
}

// Indented lines of a table.
void AppendTable(const TextTable& table, std::string& out) {
  absl::StrAppend(&out, "\n");
  for (absl::string_view line :
       absl::StrSplit(table.Render(), '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, "  ", line, "\n");
  }
}

TextTable MethodsTable(const std::vector<MethodResult>& methods) {
  TextTable table({{"method"},
                   {"HR@8", TextTable::Align::kRight},
                   {"NDCG@8", TextTable::Align::kRight},
                   {"coverage", TextTable::Align::kRight},
                   {"categories/list", TextTable::Align::kRight},
                   {"time", TextTable::Align::kRight}});
  for (const MethodResult& m : methods) {
    table.AddRow({m.name, absl::StrFormat("%.3f", m.scores.hit_rate),
                  absl::StrFormat("%.3f", m.scores.ndcg),
                  absl::StrFormat("%.2f%%", m.scores.coverage * 100),
                  absl::StrFormat("%.2f", m.scores.category_diversity),
                  absl::StrFormat("%.2fs", absl::ToDoubleSeconds(m.time))});
  }
  return table;
}

boost::json::object ProtocolJson(const ProtocolResult& r) {
  boost::json::object out{
      {"description", Description(r)},
      {"train_ratings", r.train_ratings},
      {"test_ratings", r.test_ratings},
      {"users_evaluated", r.users_evaluated},
      {"split_seconds", absl::ToDoubleSeconds(r.split_time)},
      {"methods", MethodsJson(r.methods)},
      {"builtin_over_top_sellers_hr", BuiltinRatio(r, "top_sellers")},
      {"builtin_over_recent_top_sellers_hr",
       BuiltinRatio(r, "recent_top_sellers")}};
  if (r.protocol == Protocol::kGlobal) {
    out["cut"] = r.global_cut;
  } else {
    out["caveat"] = kPerUserCaveat;
  }
  return out;
}

}  // namespace

double BuiltinRatio(const ProtocolResult& result, const std::string& baseline) {
  const MethodResult* builtin = result.Find("builtin");
  const MethodResult* base = result.Find(baseline);
  if (builtin == nullptr || base == nullptr || base->scores.hit_rate <= 0) {
    return 0;
  }
  return builtin->scores.hit_rate / base->scores.hit_rate;
}

std::string TextReport(const ProtocolResult& r) {
  std::string out =
      absl::StrCat(Title(r.protocol), "\n  ", Description(r), ".\n");
  absl::StrAppendFormat(&out,
                        "  %d training ratings, %d test ratings, %d users "
                        "evaluated (split in %.2fs).\n",
                        r.train_ratings, r.test_ratings, r.users_evaluated,
                        absl::ToDoubleSeconds(r.split_time));
  if (r.protocol == Protocol::kPerUser) {
    absl::StrAppend(&out, "  Caveat: ", kPerUserCaveat, ".\n");
  }
  AppendTable(MethodsTable(r.methods), out);
  absl::StrAppendFormat(
      &out,
      "\n  builtin HR@8 / top sellers HR@8: %.2fx; / recent top "
      "sellers HR@8: %.2fx\n",
      BuiltinRatio(r, "top_sellers"), BuiltinRatio(r, "recent_top_sellers"));
  return out;
}

const MethodResult* BestBaseline(const PlacementResult& result, Metric metric) {
  const MethodResult* best = nullptr;
  for (const MethodResult& m : result.methods) {
    if (m.key == "builtin") continue;
    if (best == nullptr || Value(m, metric) > Value(*best, metric)) best = &m;
  }
  return best;
}

double BuiltinOverBestBaseline(const PlacementResult& result, Metric metric) {
  const MethodResult* builtin = result.Find("builtin");
  const MethodResult* best = BestBaseline(result, metric);
  if (builtin == nullptr || best == nullptr || Value(*best, metric) <= 0) {
    return 0;
  }
  return Value(*builtin, metric) / Value(*best, metric);
}

std::string TextReport(const PlacementResult& r) {
  std::string out =
      absl::StrCat(PlacementTitle(r), "\n  ", PlacementDescription(r), ".\n");
  AppendTable(MethodsTable(r.methods), out);
  absl::StrAppend(&out, "\n  builtin / best baseline:");
  for (const auto& [metric, key] : kMetrics) {
    const MethodResult* best = BestBaseline(r, metric);
    absl::StrAppendFormat(&out, " %s %.2fx (%s)", key,
                          BuiltinOverBestBaseline(r, metric),
                          best == nullptr ? "none" : best->key);
  }
  absl::StrAppend(&out, "\n");
  return out;
}

std::string JsonReport(const Dataset& dataset,
                       const std::vector<ProtocolResult>& results,
                       const std::vector<PlacementResult>& placements) {
  const import::MovieLensData& data = dataset.data;
  boost::json::object protocols;
  for (const ProtocolResult& r : results) {
    protocols[ProtocolKey(r.protocol)] = ProtocolJson(r);
  }
  boost::json::object out{
      {"dataset",
       boost::json::object{
           {"name", "movielens"},
           {"ratings_file", dataset.paths.ratings},
           {"movies_file", dataset.paths.movies},
           {"ratings_rows", data.rating_rows},
           {"ratings_kept", data.ratings.size()},
           {"ratings_skipped", SkippedJson(data.ratings_skipped)},
           {"movies_rows", data.movie_rows},
           {"movies_kept", data.movies.size()},
           {"movies_skipped", SkippedJson(data.movies_skipped)},
           {"users", dataset.users},
           {"products", dataset.catalog.products.size()},
           {"categories", dataset.catalog.categories.size()},
           {"purchase_rating", import::kPurchaseRating},
           {"list_length", kListLength}}},
      {"protocols", std::move(protocols)}};
  if (!placements.empty()) out["placements"] = PlacementsJson(placements);
  return boost::json::serialize(out);
}

std::string JsonReport(const RetailDataset& dataset,
                       const std::vector<PlacementResult>& placements) {
  const import::RetailImport& read = dataset.read;
  boost::json::object out{
      {"dataset", boost::json::object{{"name", "online_retail"},
                                      {"file", dataset.path},
                                      {"rows", read.rows_read},
                                      {"sales", read.sales},
                                      {"skipped", SkippedJson(read.skipped)},
                                      {"products", read.catalog.size()},
                                      {"list_length", kListLength}}},
      {"placements", PlacementsJson(placements)}};
  return boost::json::serialize(out);
}

}  // namespace smartshop::eval
