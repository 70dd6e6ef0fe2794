// smartshop recommend and smartshop invalidate: the RecommenderService.
#include "absl/flags/flag.h"
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
  for (const std::string& id : absl::GetFlag(FLAGS_exclude)) {
    int64_t product_id = 0;
    if (!absl::SimpleAtoi(id, &product_id) || product_id <= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--exclude: \"", id, "\" is not a product id"));
    }
    request.add_exclude_product_ids(product_id);
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
