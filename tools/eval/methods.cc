#include "tools/eval/methods.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/recommender/aggregation.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/builtin/interaction_model.h"
#include "tools/eval/metrics.h"

namespace smartshop::eval {
namespace {

using recommender::CatalogSnapshot;
using smartshop::v1::Interaction;
using smartshop::v1::Product;

// Products with a score, in the order that breaks ties.
using Scored = std::vector<std::pair<int64_t, double>>;

bool Recommendable(const CatalogSnapshot& catalog, int64_t product_id) {
  const Product* product = catalog.Find(product_id);
  return product != nullptr && product->is_active();
}

// Appends top sellers that the user did not rate and `list` lacks, up to
// kListLength.
void FillWithTopSellers(const CatalogSnapshot& catalog, const EvalUser& user,
                        std::vector<int64_t>& list) {
  absl::flat_hash_set<int64_t> chosen(list.begin(), list.end());
  for (const Product* product : catalog.top_sellers()) {
    if (list.size() >= static_cast<size_t>(kListLength)) break;
    if (user.rated.contains(product->id()) || chosen.contains(product->id())) {
      continue;
    }
    list.push_back(product->id());
  }
}

// Highest score first (ties in the given order), only scores > 0, without
// what the user rated, then filled with top sellers.
std::vector<int64_t> Best(Scored scored, const CatalogSnapshot& catalog,
                          const EvalUser& user) {
  std::stable_sort(
      scored.begin(), scored.end(),
      [](const auto& a, const auto& b) { return a.second > b.second; });
  std::vector<int64_t> list;
  for (const auto& [product_id, score] : scored) {
    if (list.size() >= static_cast<size_t>(kListLength) || score <= 0) break;
    if (user.rated.contains(product_id) ||
        !Recommendable(catalog, product_id)) {
      continue;
    }
    list.push_back(product_id);
  }
  FillWithTopSellers(catalog, user, list);
  return list;
}

// The training ratings up to and including `cut`: [begin, end) of
// split.train.
std::vector<Rating>::const_iterator EndOfCut(const std::vector<Rating>& train,
                                             int64_t cut) {
  return std::partition_point(
      train.begin(), train.end(),
      [cut](const Rating& r) { return r.timestamp <= cut; });
}

class TopSellers : public Method {
 public:
  explicit TopSellers(const Training& training) : catalog_(training.catalog) {}

  std::vector<int64_t> Recommend(const EvalUser& user) override {
    std::vector<int64_t> list;
    FillWithTopSellers(catalog_, user, list);
    return list;
  }

 private:
  const CatalogSnapshot& catalog_;
};

// Purchases from kRecentWindow before the cut up to the cut, by count; ties
// by descending id as CatalogSnapshot::top_sellers() breaks them.
class RecentTopSellers : public Method {
 public:
  explicit RecentTopSellers(const Training& training)
      : train_(training.split.train), catalog_(training.catalog) {}

  std::vector<int64_t> Recommend(const EvalUser& user) override {
    auto cached = ranked_.find(user.cut);
    if (cached == ranked_.end()) {
      cached = ranked_.emplace(user.cut, Rank(user.cut)).first;
    }
    return Best(cached->second, catalog_, user);
  }

 private:
  Scored Rank(int64_t cut) const {
    const int64_t from = cut - absl::ToInt64Seconds(kRecentWindow);
    absl::flat_hash_map<int64_t, int64_t> counts;
    const auto end = EndOfCut(train_, cut);
    for (auto it = EndOfCut(train_, from - 1); it != end; ++it) {
      if (IsPurchase(*it)) ++counts[it->movie_id];
    }
    Scored scored(counts.begin(), counts.end());
    std::sort(scored.begin(), scored.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    return scored;
  }

  const std::vector<Rating>& train_;
  const CatalogSnapshot& catalog_;
  // Users judged at the same moment (all of them, in the global split)
  // share a ranking.
  std::map<int64_t, Scored> ranked_;
};

// Appends a rating's events newest first: the purchase if any (it follows
// the view), then the view.
void AppendEvents(const Rating& r, std::vector<Interaction>& events) {
  Interaction view;
  view.set_user_id(absl::StrCat(r.user_id));
  view.set_product_id(r.movie_id);
  view.set_type(smartshop::v1::VIEW_PRODUCT);
  view.mutable_timestamp()->set_seconds(r.timestamp);
  if (IsPurchase(r)) {
    Interaction order = view;
    order.set_type(smartshop::v1::ORDER_PLACED);
    events.push_back(std::move(order));
  }
  events.push_back(std::move(view));
}

// The original algorithm's summary of the user's last kOwnEvents events and
// everyone else's last kOthersEvents up to the cut, ranked by counts.
class AggregationCounts : public Method {
 public:
  explicit AggregationCounts(const Training& training)
      : train_(training.split.train), catalog_(training.catalog) {}

  std::vector<int64_t> Recommend(const EvalUser& user) override {
    // Newest first, as ListInteractions answers.
    std::vector<Interaction> own;
    for (auto it = user.train.rbegin();
         it != user.train.rend() && own.size() < kOwnEvents; ++it) {
      AppendEvents(*it, own);
    }
    own.resize(std::min<size_t>(own.size(), kOwnEvents));
    std::vector<Interaction> others;
    for (auto it = std::make_reverse_iterator(EndOfCut(train_, user.cut));
         it != train_.rend() && others.size() < kOthersEvents; ++it) {
      if (it->user_id != user.user_id) AppendEvents(*it, others);
    }
    others.resize(std::min<size_t>(others.size(), kOthersEvents));
    own.insert(own.end(), others.begin(), others.end());

    Scored scored;
    for (const recommender::ProductActivity& activity :
         recommender::Aggregate(own, catalog_)) {
      scored.emplace_back(
          activity.product_id,
          activity.purchases * kPurchaseWeight + activity.views);
    }
    return Best(std::move(scored), catalog_, user);
  }

 private:
  const std::vector<Rating>& train_;
  const CatalogSnapshot& catalog_;
};

// The service's builtin ranker with its default options.
class Builtin : public Method {
 public:
  explicit Builtin(const Training& training) : catalog_(training.catalog) {
    for (const Rating& r : training.split.train) {
      const std::string actor = absl::StrCat("u:", r.user_id);
      const absl::Time at = absl::FromUnixSeconds(r.timestamp);
      model_.Observe(actor, r.movie_id, recommender::Signal::kView, at);
      if (IsPurchase(r)) {
        model_.Observe(actor, r.movie_id, recommender::Signal::kPurchase, at);
      }
    }
  }

  std::vector<int64_t> Recommend(const EvalUser& user) override {
    recommender::RankingInput input;
    for (auto it = user.train.rbegin();
         it != user.train.rend() && input.own.size() < kOwnEvents; ++it) {
      input.own.push_back({.product_id = it->movie_id,
                           .signal = IsPurchase(*it)
                                         ? recommender::Signal::kPurchase
                                         : recommender::Signal::kView,
                           .at = absl::FromUnixSeconds(it->timestamp)});
    }
    input.exclude.insert(user.rated.begin(), user.rated.end());
    input.count = kListLength;
    input.now = absl::FromUnixSeconds(user.cut);
    std::vector<int64_t> list;
    for (const recommender::RankedItem& item :
         recommender::RankBuiltin(input, catalog_, model_)) {
      list.push_back(item.product->id());
    }
    FillWithTopSellers(catalog_, user, list);
    return list;
  }

 private:
  const CatalogSnapshot& catalog_;
  recommender::InteractionModel model_;
};

}  // namespace

recommender::CatalogSnapshot TrainingCatalog(
    const std::vector<Product>& products, const std::vector<Rating>& train) {
  absl::flat_hash_map<int64_t, int64_t> purchases;
  for (const Rating& r : train) {
    if (IsPurchase(r)) ++purchases[r.movie_id];
  }
  std::vector<Product> copy = products;
  for (Product& product : copy) {
    auto it = purchases.find(product.id());
    product.set_units_sold(it == purchases.end() ? 0 : it->second);
  }
  return CatalogSnapshot(std::move(copy), absl::UnixEpoch());
}

const std::vector<MethodSpec>& AllMethods() {
  static const auto* const kMethods = new std::vector<MethodSpec>{
      {"top_sellers", "top sellers (all-time)", &MakeTopSellers},
      {"recent_top_sellers", "recent top sellers (30 days)",
       &MakeRecentTopSellers},
      {"aggregation_counts", "original aggregation by counts",
       &MakeAggregationCounts},
      {"builtin", "builtin ranker", &MakeBuiltin},
  };
  return *kMethods;
}

std::unique_ptr<Method> MakeTopSellers(const Training& training) {
  return std::make_unique<TopSellers>(training);
}
std::unique_ptr<Method> MakeRecentTopSellers(const Training& training) {
  return std::make_unique<RecentTopSellers>(training);
}
std::unique_ptr<Method> MakeAggregationCounts(const Training& training) {
  return std::make_unique<AggregationCounts>(training);
}
std::unique_ptr<Method> MakeBuiltin(const Training& training) {
  return std::make_unique<Builtin>(training);
}

}  // namespace smartshop::eval
