// The ways of recommending that the evaluation compares, each prepared from
// one split's training ratings and then asked for each evaluated user:
//
//   top_sellers         the original fallback: the catalog's top sellers
//                       (units_sold = training purchases);
//   recent_top_sellers  purchases in the 30 days up to the user's cut;
//   aggregation_counts  the original algorithm's input, the user's last 50
//                       and everyone else's last 50 events up to the cut
//                       (services/recommender/aggregation.h), ranked by
//                       purchases * 3 + views;
//   builtin             the service's own builtin ranker
//                       (services/recommender/builtin), its model fed every
//                       training event in event order.
//
// Every list leaves out what the user rated in training and is filled up
// with top sellers when the method has fewer than kListLength items, as the
// service fills its answers.
#ifndef SMARTSHOP_TOOLS_EVAL_METHODS_H_
#define SMARTSHOP_TOOLS_EVAL_METHODS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/recommender/catalog_snapshot.h"
#include "tools/eval/splits.h"

namespace smartshop::eval {

inline constexpr absl::Duration kRecentWindow = absl::Hours(30 * 24);
// The original algorithm's windows (recommendation_engine.cc).
inline constexpr int kOwnEvents = 50;
inline constexpr int kOthersEvents = 50;
inline constexpr int kPurchaseWeight = 3;  // a view counts 1

// What a method learns from. Both must outlive the methods made from them.
struct Training {
  const Split& split;
  // Every product, units_sold = purchases in split.train.
  const recommender::CatalogSnapshot& catalog;
};

// The catalog of `products` with units_sold = purchases in `train`.
recommender::CatalogSnapshot TrainingCatalog(
    const std::vector<smartshop::v1::Product>& products,
    const std::vector<Rating>& train);

class Method {
 public:
  virtual ~Method() = default;
  // kListLength products (fewer only when the catalog runs out), best first,
  // none of them in user.rated.
  virtual std::vector<int64_t> Recommend(const EvalUser& user) = 0;
};

struct MethodSpec {
  std::string key;   // for --json
  std::string name;  // for people
  std::unique_ptr<Method> (*make)(const Training& training);
};

// The methods, in the order they are reported.
const std::vector<MethodSpec>& AllMethods();

std::unique_ptr<Method> MakeTopSellers(const Training& training);
std::unique_ptr<Method> MakeRecentTopSellers(const Training& training);
std::unique_ptr<Method> MakeAggregationCounts(const Training& training);
std::unique_ptr<Method> MakeBuiltin(const Training& training);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_METHODS_H_
