// The answer stage: a ranking becomes the reply — products, scores, reasons
// and sources, the business rules (answer_rules.h) applied and top sellers
// filling the gaps — and the answers for when nothing ranked: the no-data
// and the fallback top sellers. Finish cuts any answer, computed or cached,
// to what one caller asked for.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_BUILDER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_BUILDER_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/engine_stats.h"
#include "services/recommender/merchandising.h"
#include "services/recommender/ranker.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::recommender {

class AnswerBuilder {
 public:
  // `counters` is not owned and must outlive this; `clock` stamps
  // generated_at.
  AnswerBuilder(EngineCounters* counters, const Clock& clock)
      : counters_(counters), clock_(clock) {}

  // What never to return and which category to fill from.
  struct Limits {
    const absl::flat_hash_set<int64_t>& exclude;
    int64_t category_id = 0;
  };
  // `ranking`'s items, then the rules over kComputedItems: nothing in
  // `limits.exclude`, top-ups only of `limits.category_id`, scored at most
  // the ranking's gap-fill score (none when the ranking says so).
  // `fallback_reason` says why this ranker and not the one before it ("" =
  // the first that was asked).
  smartshop::v1::Recommendations FromRanking(const Ranking& ranking,
                                             const CatalogSnapshot& catalog,
                                             const Limits& limits,
                                             std::string fallback_reason) const;

  // No interactions at all: top sellers scored 85 (STRATEGY_NO_DATA).
  smartshop::v1::Recommendations NoData(const CatalogSnapshot& catalog) const;

  // Top sellers scored 80 (STRATEGY_FALLBACK): logged and counted with
  // `reason` (for the reply) and `code` (for metrics).
  smartshop::v1::Recommendations TopSellers(const CatalogSnapshot& catalog,
                                            std::string reason,
                                            absl::string_view code,
                                            int64_t category_id = 0) const;

  // What one caller asked of `answer`: its placement, its exclusions (and
  // the page's product, the cart's products), its category, its count;
  // checked against `catalog` as it is now (what was deactivated or
  // sold out since goes), then the catalog's merchandising rules in force
  // at `now` (merchandising.h) over every item before the cut, so that a
  // boost can lift an item into the first `limit` and rules changed since
  // an answer was cached apply at once; top-ups skip what a rule excludes.
  // `recent_sales` feeds slow-moving promotions; null = the catalog's
  // units_sold (a stand-in until the builtin model's recent purchases are
  // wired). With no catalog yet (a hit before the first load) only the
  // exclusions and the count apply. Without rules, as fast as before.
  // A cart keeps at most `cart_max_per_category` of one category while
  // others are left (answer_rules.h; the cart ranker's own share).
  static void Finish(
      const smartshop::v1::GetRecommendationsRequest& request,
      const CatalogSnapshot* catalog, smartshop::v1::Recommendations& answer,
      absl::Time now, const RecentSales& recent_sales = nullptr,
      int cart_max_per_category = RankerOptions().max_per_category);

  // The time Finish is given by the engine.
  absl::Time now() const { return clock_.Now(); }

 private:
  EngineCounters* const counters_;
  const Clock& clock_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_ANSWER_BUILDER_H_
