// smartshop rules upsert | list | delete: CatalogService's merchandising
// rules.
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "smartshop/v1/catalog.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/recommendations_view.h"
#include "tools/cli/rpc_util.h"

namespace smartshop::cli {
namespace {

Peer Tracking() { return {"tracking service", absl::GetFlag(FLAGS_tracking)}; }

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--file=", path, ": cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::Status RunRulesUpsert(const Invocation& /*invocation*/,
                            std::ostream& out) {
  const std::string path = absl::GetFlag(FLAGS_file);
  if (path.empty()) {
    return absl::InvalidArgumentError("--file is required");
  }
  absl::StatusOr<std::string> json = ReadWholeFile(path);
  if (!json.ok()) return json.status();
  smartshop::v1::UpsertMerchandisingRulesRequest request;
  if (const auto parsed =
          google::protobuf::util::JsonStringToMessage(*json, &request);
      !parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--file=", path,
                     ": not an UpsertMerchandisingRules "
                     "request in proto JSON ({\"rules\": [...]}): ",
                     std::string(parsed.message())));
  }
  const Peer peer = Tracking();
  auto stub = smartshop::v1::CatalogService::NewStub(Connect(peer));
  smartshop::v1::UpsertMerchandisingRulesResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->UpsertMerchandisingRules(context.get(), request, &response);
  if (!status.ok()) {
    return CallError(peer, "CatalogService.UpsertMerchandisingRules", status);
  }
  out << "upserted " << response.upserted() << " rule(s)\n";
  return absl::OkStatus();
}

absl::Status RunRulesList(const Invocation& /*invocation*/, std::ostream& out) {
  const Peer peer = Tracking();
  auto stub = smartshop::v1::CatalogService::NewStub(Connect(peer));
  smartshop::v1::ListMerchandisingRulesResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->ListMerchandisingRules(context.get(), {}, &response);
  if (!status.ok()) {
    return CallError(peer, "CatalogService.ListMerchandisingRules", status);
  }
  // The shape `rules upsert --file` reads (it ignores updatedAt).
  out << ToJson(response);
  return absl::OkStatus();
}

absl::Status RunRulesDelete(const Invocation& /*invocation*/,
                            std::ostream& out) {
  smartshop::v1::DeleteMerchandisingRulesRequest request;
  for (const std::string& id : absl::GetFlag(FLAGS_ids)) request.add_ids(id);
  if (request.ids().empty()) {
    return absl::InvalidArgumentError("--ids is required, e.g. --ids=a,b");
  }
  const Peer peer = Tracking();
  auto stub = smartshop::v1::CatalogService::NewStub(Connect(peer));
  smartshop::v1::DeleteMerchandisingRulesResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      stub->DeleteMerchandisingRules(context.get(), request, &response);
  if (!status.ok()) {
    return CallError(peer, "CatalogService.DeleteMerchandisingRules", status);
  }
  out << "deleted " << response.deleted() << " rule(s)\n";
  return absl::OkStatus();
}

}  // namespace smartshop::cli
