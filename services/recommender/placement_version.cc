#include "services/recommender/placement_version.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/stable_hash.h"
#include "services/recommender/request_context.h"

namespace smartshop::recommender {

namespace {

// Where generations begin: 0, 1, 2, ... 10, 11, then each a tenth above
// the last. Integers, so that every build and every machine agrees.
const std::vector<uint64_t>& GenerationStarts() {
  static const std::vector<uint64_t>* const starts = [] {
    auto* out = new std::vector<uint64_t>;
    for (uint64_t t = 0; t < (uint64_t{1} << 62);
         t += std::max<uint64_t>(1, t / 10)) {
      out->push_back(t);
    }
    return out;
  }();
  return *starts;
}

std::vector<int64_t> ProductsOf(
    const smartshop::v1::GetRecommendationsRequest& request) {
  switch (request.placement()) {
    case smartshop::v1::PLACEMENT_PRODUCT:
      return {request.product_id()};
    case smartshop::v1::PLACEMENT_CART:
      return DistinctCartProducts(request);
    default:
      return {};
  }
}

std::string VersionOf(const std::vector<int64_t>& products,
                      const InteractionModel::Reader* reader,
                      const CatalogSnapshot* catalog) {
  std::string inputs;
  for (int64_t id : products) {
    const int64_t generation =
        reader != nullptr ? LearntGeneration(reader->Changes(id)) : 0;
    absl::StrAppend(&inputs, id, ":", generation);
    const smartshop::v1::Product* product =
        catalog != nullptr ? catalog->Find(id) : nullptr;
    if (product != nullptr) {
      // Its own record too: its name is quoted in the reasons, and it may
      // have no category or be inactive.
      absl::StrAppend(&inputs, ":", product->is_active() ? "a" : "i", ":",
                      catalog->CategoryFingerprint(product->category_id()), ":",
                      product->name());
    }
    inputs.push_back('\x1e');
  }
  return absl::StrFormat("%016x", StableHash64(inputs));
}

}  // namespace

int64_t LearntGeneration(uint64_t changes) {
  const std::vector<uint64_t>& starts = GenerationStarts();
  return std::upper_bound(starts.begin(), starts.end(), changes) -
         starts.begin() - 1;
}

std::optional<std::string> PlacementInputsVersion(
    const smartshop::v1::GetRecommendationsRequest& request,
    const InteractionModel* model, const CatalogSnapshot* catalog,
    bool may_wait) {
  const std::vector<int64_t> products = ProductsOf(request);
  if (products.empty()) return "";
  if (model == nullptr) return VersionOf(products, nullptr, catalog);
  if (may_wait) {
    const InteractionModel::Reader reader(*model);
    return VersionOf(products, &reader, catalog);
  }
  const std::optional<InteractionModel::Reader> reader = model->TryRead();
  if (!reader.has_value()) return std::nullopt;
  return VersionOf(products, &*reader, catalog);
}

}  // namespace smartshop::recommender
