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
#include "services/recommender/catalog_snapshot.h"
#include "tools/eval/placement_data.h"

namespace smartshop::eval {

enum class Placement { kProductPage, kCart };

// "product_page" / "cart", for flags and JSON.
std::string PlacementKey(Placement placement);

// Purchase counts so far, and the products in that order.
class PurchaseCounts {
 public:
  void Observe(const ShopEvent& event);
  int64_t Count(int64_t product_id) const;
  // Appends the most purchased products that are neither in `given` nor in
  // `list` until `list` has `count`.
  void Fill(const std::vector<int64_t>& given, int count,
            std::vector<int64_t>& list) const;

 private:
  absl::flat_hash_map<int64_t, int64_t> counts_;
  // (-count, -id): most purchased first, ties by descending id.
  std::set<std::pair<int64_t, int64_t>> ranked_;
};

class PlacementMethod {
 public:
  virtual ~PlacementMethod() = default;
  // Learns one event; called for every event in event order.
  virtual void Observe(const ShopEvent& event) = 0;
  // At most `count` products, best first, none of them in `given` (the
  // page's product, or the cart).
  virtual std::vector<int64_t> Rank(Placement placement,
                                    const std::vector<int64_t>& given,
                                    int count) = 0;
};

struct PlacementMethodSpec {
  std::string key;   // for --json
  std::string name;  // for people
  // `catalog` must outlive the method.
  std::unique_ptr<PlacementMethod> (*make)(
      const recommender::CatalogSnapshot& catalog);
};

// The methods, in the order they are reported; baselines before builtin.
const std::vector<PlacementMethodSpec>& AllPlacementMethods();

std::unique_ptr<PlacementMethod> MakePopularity(
    const recommender::CatalogSnapshot& catalog);
std::unique_ptr<PlacementMethod> MakeCoPurchase(
    const recommender::CatalogSnapshot& catalog);
std::unique_ptr<PlacementMethod> MakeItemKnn(
    const recommender::CatalogSnapshot& catalog);
std::unique_ptr<PlacementMethod> MakePlacementBuiltin(
    const recommender::CatalogSnapshot& catalog);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_PLACEMENT_METHODS_H_
