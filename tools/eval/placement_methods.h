// The ways of filling a product page or a cart that the placement protocols
// compare, each learning one event at a time in event order and asked, as
// the questions' times come, for the products to show:
//
//   popularity   the most purchased products so far (purchase events);
//   co_purchase  products bought by the most shoppers who also bought the
//                given product (cart: summed over the cart's products);
//   item_knn     item-kNN over the binary shopper x product purchase
//                matrix: cosine co-shoppers(i, j) / sqrt(shoppers(i)
//                shoppers(j)), summed over the given products;
//   builtin      the service's own RankProductPage / RankCart
//                (services/recommender/builtin/placement_ranking.h) over an
//                InteractionModel fed every event (views too), with the
//                default PlacementOptions and no shopper history (the
//                question gives the product or the cart, nothing else).
//
// A guest session is a shopper of its own for what is learnt. Baselines
// rank ties by popularity, then by descending id. A method may give fewer
// than asked; the evaluation fills the list from popularity.
#ifndef SMARTSHOP_TOOLS_EVAL_PLACEMENT_METHODS_H_
#define SMARTSHOP_TOOLS_EVAL_PLACEMENT_METHODS_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "services/recommender/catalog_snapshot.h"
#include "tools/eval/placement_data.h"

namespace smartshop::eval {

enum class Placement { kProductPage, kCart };

// "product_page" / "cart", for flags and JSON.
std::string PlacementKey(Placement placement);

// What the baselines learn, learnt once per event and shared by them and
// the fill: purchase counts, and who bought what.
class PurchaseHistory {
 public:
  // Learns a purchase; views teach it nothing.
  void Observe(const ShopEvent& event);

  int64_t Purchases(int64_t product_id) const;
  // Distinct shoppers who bought it (0 when none).
  int64_t Shoppers(int64_t product_id) const;
  // Calls `visit(other_id, shoppers_who_bought_both)` for each other product
  // bought by a shopper who bought `product_id`.
  template <typename Visit>
  void ForEachCoPurchase(int64_t product_id, Visit visit) const {
    auto it = index_.find(product_id);
    if (it == index_.end()) return;
    for (const auto& [other, together] : items_[it->second].pairs) {
      visit(items_[other].id, together);
    }
  }

  // Appends the most purchased products (ties by descending id) that are
  // neither in `given` nor in `list` until `list` has `count`.
  void Fill(const std::vector<int64_t>& given, int count,
            std::vector<int64_t>& list) const;

 private:
  struct Item {
    int64_t id = 0;
    int64_t purchases = 0;
    int64_t shoppers = 0;
    absl::flat_hash_map<uint32_t, uint32_t> pairs = {};
  };
  std::vector<Item> items_;
  absl::flat_hash_map<int64_t, uint32_t> index_;
  absl::flat_hash_map<std::string, absl::flat_hash_set<uint32_t>> bought_;
  // (-purchases, -id): most purchased first.
  std::set<std::pair<int64_t, int64_t>> ranked_;
};

class PlacementMethod {
 public:
  virtual ~PlacementMethod() = default;
  // Learns one event; called for every event in event order, after the
  // shared PurchaseHistory has learnt it.
  virtual void Observe(const ShopEvent& /*event*/) {}
  // At most `count` products, best first, none of them in `given` (the
  // page's product, or the cart).
  virtual std::vector<int64_t> Rank(Placement placement,
                                    const std::vector<int64_t>& given,
                                    int count) = 0;
};

// What the methods are made with; both must outlive them.
struct PlacementContext {
  const recommender::CatalogSnapshot& catalog;
  const PurchaseHistory& history;
};

struct PlacementMethodSpec {
  std::string key;   // for --json
  std::string name;  // for people
  std::unique_ptr<PlacementMethod> (*make)(const PlacementContext& context);
};

// The methods, in the order they are reported; baselines before builtin.
const std::vector<PlacementMethodSpec>& AllPlacementMethods();

std::unique_ptr<PlacementMethod> MakePopularity(
    const PlacementContext& context);
std::unique_ptr<PlacementMethod> MakeCoPurchase(
    const PlacementContext& context);
std::unique_ptr<PlacementMethod> MakeItemKnn(const PlacementContext& context);
std::unique_ptr<PlacementMethod> MakePlacementBuiltin(
    const PlacementContext& context);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_PLACEMENT_METHODS_H_
