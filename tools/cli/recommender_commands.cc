// smartshop recommend and smartshop invalidate: the RecommenderService.
#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/recommendations_view.h"
#include "tools/cli/rpc_util.h"

namespace smartshop::cli {
namespace {

constexpr int kMaxLimit = 8;  // recommender.proto

Peer Recommender() {
  return {"recommender service", absl::GetFlag(FLAGS_recommender)};
}

// Comma-separated product ids from `flag`'s values, each > 0.
absl::StatusOr<std::vector<int64_t>> ProductIdList(
    absl::string_view flag, const std::vector<std::string>& values) {
  std::vector<int64_t> ids;
  for (const std::string& id : values) {
    int64_t product_id = 0;
    if (!absl::SimpleAtoi(id, &product_id) || product_id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, ": \"", id, "\" is not a product id"));
    }
    ids.push_back(product_id);
  }
  return ids;
}

// --placement and the fields of its page; the service checks the rest.
absl::Status SetPlacement(smartshop::v1::GetRecommendationsRequest& request) {
  static const auto* const kPlacements =
      new absl::flat_hash_map<std::string, smartshop::v1::Placement>{
          {"home", smartshop::v1::PLACEMENT_HOME},
          {"product", smartshop::v1::PLACEMENT_PRODUCT},
          {"cart", smartshop::v1::PLACEMENT_CART},
          {"recently-viewed", smartshop::v1::PLACEMENT_RECENTLY_VIEWED},
          {"trending", smartshop::v1::PLACEMENT_TRENDING}};
  static const auto* const kWindows =
      new absl::flat_hash_map<std::string, smartshop::v1::TrendingWindow>{
          {"hour", smartshop::v1::TRENDING_WINDOW_HOUR},
          {"day", smartshop::v1::TRENDING_WINDOW_DAY},
          {"week", smartshop::v1::TRENDING_WINDOW_WEEK}};
  const std::string placement = absl::GetFlag(FLAGS_placement);
  auto it = kPlacements->find(placement);
  if (it == kPlacements->end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--placement=", placement,
                     ": must be home, product, cart, recently-viewed or "
                     "trending"));
  }
  request.set_placement(it->second);
  const std::string window = absl::GetFlag(FLAGS_trending_window);
  auto w = kWindows->find(window);
  if (w == kWindows->end()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--trending_window=", window, ": must be hour, day or week"));
  }
  // The default day is the proto's default: unset unless trending.
  if (it->second == smartshop::v1::PLACEMENT_TRENDING) {
    request.set_trending_window(w->second);
  }
  request.set_product_id(absl::GetFlag(FLAGS_product_id));
  absl::StatusOr<std::vector<int64_t>> cart =
      ProductIdList("cart", absl::GetFlag(FLAGS_cart));
  if (!cart.ok()) return cart.status();
  for (int64_t id : *cart) request.add_cart_product_ids(id);
  request.set_exclude_purchased(absl::GetFlag(FLAGS_exclude_purchased));
  return absl::OkStatus();
}

}  // namespace

absl::Status RunRecommend(const Invocation& /*invocation*/, std::ostream& out) {
  const int limit = absl::GetFlag(FLAGS_limit);
  if (limit < 0 || limit > kMaxLimit) {
    return absl::InvalidArgumentError(absl::StrCat("--limit=", limit,
                                                   ": must be 1 to ", kMaxLimit,
                                                   " (0 = ", kMaxLimit, ")"));
  }
  const Peer peer = Recommender();
  auto stub = smartshop::v1::RecommenderService::NewStub(Connect(peer));
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id(absl::GetFlag(FLAGS_user_id));
  request.set_session_key(absl::GetFlag(FLAGS_session_key));
  request.set_limit(limit);
  request.set_category_id(absl::GetFlag(FLAGS_category_id));
  absl::StatusOr<std::vector<int64_t>> excluded =
      ProductIdList("exclude", absl::GetFlag(FLAGS_exclude));
  if (!excluded.ok()) return excluded.status();
  for (int64_t id : *excluded) request.add_exclude_product_ids(id);
  if (absl::Status placement = SetPlacement(request); !placement.ok()) {
    return placement;
  }
  smartshop::v1::Recommendations reply;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->GetRecommendations(context.get(), request, &reply);
  if (!status.ok()) {
    return CallError(peer, "RecommenderService.GetRecommendations", status);
  }
  out << (absl::GetFlag(FLAGS_json) ? ToJson(reply)
                                    : RecommendationsTable(reply));
  return absl::OkStatus();
}

absl::Status RunInvalidate(const Invocation& invocation, std::ostream& out) {
  smartshop::v1::InvalidateRecommendationsRequest request;
  std::string target;
  int targets = 0;
  if (invocation.Given("user_id")) {
    const std::string user_id = absl::GetFlag(FLAGS_user_id);
    if (user_id.empty()) {
      return absl::InvalidArgumentError(
          "--user_id must not be empty (for anonymous visitors say "
          "--anonymous)");
    }
    request.set_user_id(user_id);
    target = absl::StrCat("user ", user_id);
    ++targets;
  }
  if (invocation.Given("session_key")) {
    const std::string session_key = absl::GetFlag(FLAGS_session_key);
    if (session_key.empty()) {
      return absl::InvalidArgumentError("--session_key must not be empty");
    }
    request.set_session_key(session_key);
    target = absl::StrCat("session ", session_key);
    ++targets;
  }
  if (absl::GetFlag(FLAGS_anonymous)) {
    request.set_anonymous(true);
    target = "anonymous visitors";
    ++targets;
  }
  if (absl::GetFlag(FLAGS_all)) {
    request.set_all(true);
    target = "everyone";
    ++targets;
  }
  if (targets != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("give exactly one of --user_id=ID, --session_key=KEY, "
                     "--anonymous, --all (",
                     targets == 0 ? "none" : "several", " given)"));
  }
  const Peer peer = Recommender();
  auto stub = smartshop::v1::RecommenderService::NewStub(Connect(peer));
  smartshop::v1::InvalidateRecommendationsResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->InvalidateRecommendations(context.get(), request, &response);
  if (!status.ok()) {
    return CallError(peer, "RecommenderService.InvalidateRecommendations",
                     status);
  }
  out << "deleted " << response.deleted() << " cached answer(s) for " << target
      << "\n";
  return absl::OkStatus();
}

}  // namespace smartshop::cli
