#include "services/recommender/placement_version.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/stable_hash.h"

namespace smartshop::recommender {

namespace {

// An answer is recomputed once its products' data grew by this factor.
constexpr double kStaleGrowth = 1.1;

std::vector<int64_t> ProductsOf(
    const smartshop::v1::GetRecommendationsRequest& request) {
  switch (request.placement()) {
    case smartshop::v1::PLACEMENT_PRODUCT:
      return {request.product_id()};
    case smartshop::v1::PLACEMENT_CART: {
      // As the key: the same basket in any order is one entry.
      std::vector<int64_t> cart(request.cart_product_ids().begin(),
                                request.cart_product_ids().end());
      std::sort(cart.begin(), cart.end());
      cart.erase(std::unique(cart.begin(), cart.end()), cart.end());
      return cart;
    }
    default:
      return {};
  }
}

}  // namespace

int64_t LearntGeneration(uint64_t changes) {
  return static_cast<int64_t>(std::floor(
      std::log1p(static_cast<double>(changes)) / std::log(kStaleGrowth)));
}

std::string PlacementInputsVersion(
    const smartshop::v1::GetRecommendationsRequest& request,
    const InteractionModel* model, const CatalogSnapshot* catalog) {
  const std::vector<int64_t> products = ProductsOf(request);
  if (products.empty()) return "";
  std::optional<InteractionModel::Reader> reader;
  if (model != nullptr) reader.emplace(*model);
  std::string inputs =
      absl::StrCat("f", reader ? reader->buckets_forgotten() : 0);
  for (int64_t id : products) {
    const int64_t generation =
        reader ? LearntGeneration(reader->Changes(id)) : 0;
    const smartshop::v1::Product* product =
        catalog != nullptr ? catalog->Find(id) : nullptr;
    const uint64_t category =
        product != nullptr
            ? catalog->CategoryFingerprint(product->category_id())
            : 0;
    absl::StrAppend(&inputs, ";", id, ":", generation, ":", category);
  }
  return absl::StrFormat("%016x", StableHash64(inputs));
}

}  // namespace smartshop::recommender
