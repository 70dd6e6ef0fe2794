#include "tools/eval/placement_methods.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/builtin/placement_ranking.h"

namespace smartshop::eval {
namespace {

class Popularity : public PlacementMethod {
 public:
  void Observe(const ShopEvent& event) override { counts_.Observe(event); }
  std::vector<int64_t> Rank(Placement /*placement*/,
                            const std::vector<int64_t>& given,
                            int count) override {
    std::vector<int64_t> list;
    counts_.Fill(given, count, list);
    return list;
  }

 private:
  PurchaseCounts counts_;
};

// Who bought what, and how many shoppers bought each pair of products.
class CoShoppers : public PlacementMethod {
 public:
  explicit CoShoppers(bool cosine) : cosine_(cosine) {}

  void Observe(const ShopEvent& event) override {
    if (!IsPurchase(event)) return;
    counts_.Observe(event);
    absl::flat_hash_set<int64_t>& bought = bought_[event.actor];
    if (!bought.insert(event.product_id).second) return;
    ++shoppers_[event.product_id];
    absl::flat_hash_map<int64_t, int32_t>& row = pairs_[event.product_id];
    for (int64_t other : bought) {
      if (other == event.product_id) continue;
      ++row[other];
      ++pairs_[other][event.product_id];
    }
  }

  std::vector<int64_t> Rank(Placement /*placement*/,
                            const std::vector<int64_t>& given,
                            int count) override {
    absl::flat_hash_map<int64_t, double> scores;
    for (int64_t source : given) {
      auto row = pairs_.find(source);
      if (row == pairs_.end()) continue;
      const double source_norm = std::sqrt(Shoppers(source));
      for (const auto& [id, together] : row->second) {
        scores[id] += cosine_ ? together / (source_norm * std::sqrt(Shoppers(id)))
                              : together;
      }
    }
    for (int64_t source : given) scores.erase(source);
    std::vector<std::pair<double, int64_t>> ranked;
    ranked.reserve(scores.size());
    for (const auto& [id, score] : scores) ranked.emplace_back(score, id);
    const size_t keep = std::min(ranked.size(), static_cast<size_t>(count));
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                      [&](const auto& a, const auto& b) {
                        if (a.first != b.first) return a.first > b.first;
                        const int64_t ca = counts_.Count(a.second);
                        const int64_t cb = counts_.Count(b.second);
                        if (ca != cb) return ca > cb;
                        return a.second > b.second;
                      });
    std::vector<int64_t> list;
    for (size_t i = 0; i < keep; ++i) list.push_back(ranked[i].second);
    return list;
  }

 private:
  double Shoppers(int64_t id) const {
    auto it = shoppers_.find(id);
    return it == shoppers_.end() ? 1 : static_cast<double>(it->second);
  }

  const bool cosine_;
  PurchaseCounts counts_;  // breaks ties
  absl::flat_hash_map<std::string, absl::flat_hash_set<int64_t>> bought_;
  absl::flat_hash_map<int64_t, int64_t> shoppers_;
  absl::flat_hash_map<int64_t, absl::flat_hash_map<int64_t, int32_t>> pairs_;
};

class PlacementBuiltin : public PlacementMethod {
 public:
  explicit PlacementBuiltin(const recommender::CatalogSnapshot& catalog)
      : catalog_(catalog) {}

  void Observe(const ShopEvent& event) override {
    model_.Observe(event.actor, event.product_id, event.signal,
                   absl::FromUnixSeconds(event.time));
  }

  std::vector<int64_t> Rank(Placement placement,
                            const std::vector<int64_t>& given,
                            int count) override {
    recommender::PlacementInput input{.count = count};
    std::vector<recommender::PlacementItem> items;
    if (placement == Placement::kProductPage) {
      input.product_id = given.front();
      items = recommender::RankProductPage(input, catalog_, model_);
    } else {
      input.cart = given;
      items = recommender::RankCart(input, catalog_, model_);
    }
    std::vector<int64_t> list;
    for (const recommender::PlacementItem& item : items) {
      list.push_back(item.product->id());
    }
    return list;
  }

 private:
  const recommender::CatalogSnapshot& catalog_;
  recommender::InteractionModel model_;
};

}  // namespace

std::string PlacementKey(Placement placement) {
  return placement == Placement::kProductPage ? "product_page" : "cart";
}

void PurchaseCounts::Observe(const ShopEvent& event) {
  if (!IsPurchase(event)) return;
  int64_t& count = counts_[event.product_id];
  ranked_.erase({-count, -event.product_id});
  ++count;
  ranked_.insert({-count, -event.product_id});
}

int64_t PurchaseCounts::Count(int64_t product_id) const {
  auto it = counts_.find(product_id);
  return it == counts_.end() ? 0 : it->second;
}

void PurchaseCounts::Fill(const std::vector<int64_t>& given, int count,
                          std::vector<int64_t>& list) const {
  for (auto it = ranked_.begin();
       it != ranked_.end() && static_cast<int>(list.size()) < count; ++it) {
    const int64_t id = -it->second;
    if (std::find(given.begin(), given.end(), id) != given.end() ||
        std::find(list.begin(), list.end(), id) != list.end()) {
      continue;
    }
    list.push_back(id);
  }
}

const std::vector<PlacementMethodSpec>& AllPlacementMethods() {
  static const auto* const kMethods = new std::vector<PlacementMethodSpec>{
      {"popularity", "popularity (most purchased)", &MakePopularity},
      {"co_purchase", "co-purchase counts", &MakeCoPurchase},
      {"item_knn", "item-kNN cosine", &MakeItemKnn},
      {"builtin", "builtin placement ranking", &MakePlacementBuiltin},
  };
  return *kMethods;
}

std::unique_ptr<PlacementMethod> MakePopularity(
    const recommender::CatalogSnapshot& /*catalog*/) {
  return std::make_unique<Popularity>();
}
std::unique_ptr<PlacementMethod> MakeCoPurchase(
    const recommender::CatalogSnapshot& /*catalog*/) {
  return std::make_unique<CoShoppers>(/*cosine=*/false);
}
std::unique_ptr<PlacementMethod> MakeItemKnn(
    const recommender::CatalogSnapshot& /*catalog*/) {
  return std::make_unique<CoShoppers>(/*cosine=*/true);
}
std::unique_ptr<PlacementMethod> MakePlacementBuiltin(
    const recommender::CatalogSnapshot& catalog) {
  return std::make_unique<PlacementBuiltin>(catalog);
}

}  // namespace smartshop::eval
