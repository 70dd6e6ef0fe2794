#include "services/recommender/request_context.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/storable_text.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;

constexpr size_t kMaxIdBytes = 128;
constexpr int kMaxExcluded = 100;

// The fields only some placements use are unset for the others, so that
// a request for one page never silently gets another.
absl::Status ValidatePlacement(const GetRecommendationsRequest& r) {
  using smartshop::v1::Placement;
  const Placement placement = r.placement();
  if (!smartshop::v1::Placement_IsValid(placement)) {
    return absl::InvalidArgumentError(
        absl::StrCat("placement: ", placement, " is not a placement"));
  }
  const std::string name = smartshop::v1::Placement_Name(placement);
  auto only_for = [&](absl::string_view field, absl::string_view placements) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": only for ", placements, " (this request is ", name, ")"));
  };
  if (placement == smartshop::v1::PLACEMENT_PRODUCT) {
    if (r.product_id() <= 0) {
      return absl::InvalidArgumentError(
          "product_id: PLACEMENT_PRODUCT needs the page's product id (> 0)");
    }
  } else if (r.product_id() != 0) {
    return only_for("product_id", "PLACEMENT_PRODUCT");
  }
  if (placement == smartshop::v1::PLACEMENT_CART) {
    if (r.cart_product_ids().empty() ||
        r.cart_product_ids_size() > kMaxCartProducts) {
      return absl::InvalidArgumentError(
          absl::StrCat("cart_product_ids: PLACEMENT_CART needs 1 to ",
                       kMaxCartProducts, " ids"));
    }
    for (int i = 0; i < r.cart_product_ids_size(); ++i) {
      if (r.cart_product_ids(i) <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("cart_product_ids[", i, "]: ", r.cart_product_ids(i),
                         " is not a product id"));
      }
    }
  } else if (!r.cart_product_ids().empty()) {
    return only_for("cart_product_ids", "PLACEMENT_CART");
  }
  if (placement == smartshop::v1::PLACEMENT_RECENTLY_VIEWED) {
    if (r.user_id().empty() && r.session_key().empty()) {
      return absl::InvalidArgumentError(
          "user_id: PLACEMENT_RECENTLY_VIEWED needs a user_id or a "
          "session_key");
    }
  } else if (r.exclude_purchased()) {
    return only_for("exclude_purchased", "PLACEMENT_RECENTLY_VIEWED");
  }
  if (!smartshop::v1::TrendingWindow_IsValid(r.trending_window())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trending_window: ", r.trending_window(), " is not a window"));
  }
  if (placement != smartshop::v1::PLACEMENT_TRENDING &&
      r.trending_window() != smartshop::v1::TRENDING_WINDOW_DAY) {
    return only_for("trending_window", "PLACEMENT_TRENDING");
  }
  if (r.category_id() != 0 && placement != smartshop::v1::PLACEMENT_HOME &&
      placement != smartshop::v1::PLACEMENT_TRENDING) {
    return only_for("category_id", "PLACEMENT_HOME and PLACEMENT_TRENDING");
  }
  return absl::OkStatus();
}

absl::Status Validate(const GetRecommendationsRequest& r) {
  if (r.user_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("user_id: longer than 128 bytes");
  }
  // The served log stores both in tracking's Postgres.
  if (!IsStorableText(r.user_id())) {
    return absl::InvalidArgumentError(
        "user_id: must be UTF-8 without NUL characters");
  }
  if (!IsStorableText(r.session_key())) {
    return absl::InvalidArgumentError(
        "session_key: must be UTF-8 without NUL characters");
  }
  if (r.user_id() == kAnonymousId) {
    // Its cache key would be the one all anonymous visitors share.
    return absl::InvalidArgumentError(
        "user_id: \"anonymous\" is reserved for the anonymous cache key");
  }
  if (r.session_key().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("session_key: longer than 128 bytes");
  }
  if (r.limit() < 0 || r.limit() > kRecommendationCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be 0 (= 8) to ", kRecommendationCount));
  }
  if (r.category_id() < 0) {
    return absl::InvalidArgumentError("category_id: must not be negative");
  }
  if (r.exclude_product_ids_size() > kMaxExcluded) {
    return absl::InvalidArgumentError(
        absl::StrCat("exclude_product_ids: at most ", kMaxExcluded, " ids"));
  }
  for (int64_t id : r.exclude_product_ids()) {
    if (id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("exclude_product_ids: ", id, " is not a product id"));
    }
  }
  return ValidatePlacement(r);
}

Shopper ShopperOf(const GetRecommendationsRequest& r) {
  return {r.user_id(), r.user_id().empty() ? r.session_key() : ""};
}

}  // namespace

absl::StatusOr<RequestContext> MakeRequestContext(
    const GetRecommendationsRequest& request, bool personal_sessions) {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  RequestContext context{.request = request, .visitor = ShopperOf(request)};
  // A session's own views are its recently viewed products, whatever ranks.
  if (IsSession(ShopperOf(request)) && !personal_sessions &&
      request.placement() != smartshop::v1::PLACEMENT_RECENTLY_VIEWED) {
    context.request.clear_session_key();
  }
  context.shopper = ShopperOf(context.request);
  // Cached: the home page (not category pages: one entry per category to
  // invalidate), trending (one entry per window and category), and the
  // product pages and baskets anonymous visitors share. A shopper's own
  // placement answer changes with each of their events (every page view
  // is one), so it is computed for them each time (no model call: the
  // builtin ranker, from memory and one tracking read).
  const bool shopper =
      !context.shopper.user_id.empty() || !context.shopper.session_key.empty();
  switch (request.placement()) {
    case smartshop::v1::PLACEMENT_HOME:
      context.cacheable = request.category_id() == 0;
      break;
    case smartshop::v1::PLACEMENT_TRENDING:
      context.cacheable = true;
      break;
    default:
      context.cacheable = !shopper;
  }
  return context;
}

std::vector<int64_t> RequestContext::PageProducts() const {
  std::vector<int64_t> products(request.cart_product_ids().begin(),
                                request.cart_product_ids().end());
  if (request.product_id() > 0) products.push_back(request.product_id());
  return products;
}

std::vector<int64_t> DistinctCartProducts(
    const smartshop::v1::GetRecommendationsRequest& request) {
  std::vector<int64_t> cart(request.cart_product_ids().begin(),
                            request.cart_product_ids().end());
  std::sort(cart.begin(), cart.end());
  cart.erase(std::unique(cart.begin(), cart.end()), cart.end());
  return cart;
}

absl::Status CheckUserTarget(const std::string& user_id) {
  if (user_id.empty() || user_id.size() > kMaxIdBytes ||
      user_id == kAnonymousId) {
    return absl::InvalidArgumentError(
        "user_id: must be 1 to 128 bytes and not \"anonymous\"");
  }
  return absl::OkStatus();
}

absl::Status CheckSessionTarget(const std::string& session_key) {
  if (session_key.empty() || session_key.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("session_key: must be 1 to 128 bytes");
  }
  return absl::OkStatus();
}

}  // namespace smartshop::recommender
