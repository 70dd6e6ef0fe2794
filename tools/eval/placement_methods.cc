#include "tools/eval/placement_methods.h"

#include <algorithm>
#include <cmath>

#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/builtin/placement_ranking.h"

namespace smartshop::eval {
namespace {

class Popularity : public PlacementMethod {
 public:
  explicit Popularity(const PlacementContext& context)
      : history_(context.history) {}

  std::vector<int64_t> Rank(Placement /*placement*/,
                            const std::vector<int64_t>& given,
                            int count) override {
    std::vector<int64_t> list;
    history_.Fill(given, count, list);
    return list;
  }

 private:
  const PurchaseHistory& history_;
};

// Co-purchase counts, or their cosine, summed over the given products.
class CoPurchase : public PlacementMethod {
 public:
  CoPurchase(const PlacementContext& context, bool cosine)
      : history_(context.history), cosine_(cosine) {}

  std::vector<int64_t> Rank(Placement /*placement*/,
                            const std::vector<int64_t>& given,
                            int count) override {
    absl::flat_hash_map<int64_t, double> scores;
    for (int64_t source : given) {
      const double source_norm = std::sqrt(
          static_cast<double>(std::max<int64_t>(1, history_.Shoppers(source))));
      history_.ForEachCoPurchase(source, [&](int64_t id, uint32_t together) {
        scores[id] +=
            cosine_
                ? together / (source_norm *
                              std::sqrt(static_cast<double>(
                                  std::max<int64_t>(1, history_.Shoppers(id)))))
                : together;
      });
    }
    for (int64_t source : given) scores.erase(source);
    std::vector<std::pair<double, int64_t>> ranked;
    ranked.reserve(scores.size());
    for (const auto& [id, score] : scores) ranked.emplace_back(score, id);
    const size_t keep = std::min(ranked.size(), static_cast<size_t>(count));
    std::partial_sort(ranked.begin(), ranked.begin() + keep, ranked.end(),
                      [&](const auto& a, const auto& b) {
                        if (a.first != b.first) return a.first > b.first;
                        const int64_t pa = history_.Purchases(a.second);
                        const int64_t pb = history_.Purchases(b.second);
                        if (pa != pb) return pa > pb;
                        return a.second > b.second;
                      });
    std::vector<int64_t> list;
    for (size_t i = 0; i < keep; ++i) list.push_back(ranked[i].second);
    return list;
  }

 private:
  const PurchaseHistory& history_;
  const bool cosine_;
};

class PlacementBuiltin : public PlacementMethod {
 public:
  explicit PlacementBuiltin(const PlacementContext& context)
      : catalog_(context.catalog) {}

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

void PurchaseHistory::Observe(const ShopEvent& event) {
  if (!IsPurchase(event)) return;
  auto [it, added] = index_.try_emplace(event.product_id,
                                        static_cast<uint32_t>(items_.size()));
  if (added) items_.push_back({.id = event.product_id});
  const uint32_t index = it->second;
  Item& item = items_[index];
  ranked_.erase({-item.purchases, -item.id});
  ++item.purchases;
  ranked_.insert({-item.purchases, -item.id});

  absl::flat_hash_set<uint32_t>& bought = bought_[event.actor];
  if (!bought.insert(index).second) return;
  ++item.shoppers;
  for (uint32_t other : bought) {
    if (other == index) continue;
    ++items_[index].pairs[other];
    ++items_[other].pairs[index];
  }
}

int64_t PurchaseHistory::Purchases(int64_t product_id) const {
  auto it = index_.find(product_id);
  return it == index_.end() ? 0 : items_[it->second].purchases;
}

int64_t PurchaseHistory::Shoppers(int64_t product_id) const {
  auto it = index_.find(product_id);
  return it == index_.end() ? 0 : items_[it->second].shoppers;
}

void PurchaseHistory::Fill(const std::vector<int64_t>& given, int count,
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
    const PlacementContext& context) {
  return std::make_unique<Popularity>(context);
}
std::unique_ptr<PlacementMethod> MakeCoPurchase(
    const PlacementContext& context) {
  return std::make_unique<CoPurchase>(context, /*cosine=*/false);
}
std::unique_ptr<PlacementMethod> MakeItemKnn(const PlacementContext& context) {
  return std::make_unique<CoPurchase>(context, /*cosine=*/true);
}
std::unique_ptr<PlacementMethod> MakePlacementBuiltin(
    const PlacementContext& context) {
  return std::make_unique<PlacementBuiltin>(context);
}

}  // namespace smartshop::eval
