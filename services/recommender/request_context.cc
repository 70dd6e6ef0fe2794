#include "services/recommender/request_context.h"

#include "absl/strings/str_cat.h"
#include "services/recommender/top_sellers.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::GetRecommendationsRequest;

constexpr size_t kMaxIdBytes = 128;
constexpr int kMaxExcluded = 100;

absl::Status Validate(const GetRecommendationsRequest& r) {
  if (r.user_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("user_id: longer than 128 bytes");
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
  return absl::OkStatus();
}

Shopper ShopperOf(const GetRecommendationsRequest& r) {
  return {r.user_id(), r.user_id().empty() ? r.session_key() : ""};
}

}  // namespace

absl::StatusOr<RequestContext> MakeRequestContext(
    const GetRecommendationsRequest& request, bool personal_sessions) {
  if (absl::Status valid = Validate(request); !valid.ok()) return valid;
  RequestContext context{.request = request};
  if (IsSession(ShopperOf(request)) && !personal_sessions) {
    context.request.clear_session_key();
  }
  context.shopper = ShopperOf(context.request);
  context.cacheable = request.category_id() == 0;
  return context;
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
