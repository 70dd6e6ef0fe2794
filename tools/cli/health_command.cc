// smartshop health: grpc.health.v1.Health/Check on each service, for the
// whole server ("") and for each smartshop service it serves.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/rpc_util.h"
#include "tools/import/text_table.h"

namespace smartshop::cli {
namespace {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

struct Target {
  absl::string_view name;  // as --service says it
  Peer peer;
  std::vector<std::string> services;  // the named services it registers
};

struct Row {
  std::string check;
  std::string address;
  std::string status;
  bool serving = false;
};

// What a failed Check means to someone checking health.
std::string Describe(const grpc::Status& status, absl::Duration timeout) {
  const std::string code = absl::StatusCodeToString(
      static_cast<absl::StatusCode>(status.error_code()));
  switch (status.error_code()) {
    case grpc::StatusCode::NOT_FOUND:
      return "unknown service (NOT_FOUND)";
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("unreachable: ", status.error_message(), " (", code,
                          ")");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("no answer within ", absl::FormatDuration(timeout),
                          " (", code, ")");
    default:
      return absl::StrCat("error: ", status.error_message(), " (", code, ")");
  }
}

void Check(const Target& target, absl::Duration timeout,
           std::vector<Row>& rows) {
  auto stub = Health::NewStub(Connect(target.peer));
  std::vector<std::string> services = {""};
  services.insert(services.end(), target.services.begin(),
                  target.services.end());
  bool unreachable = false;
  for (const std::string& service : services) {
    Row& row = rows.emplace_back();
    row.check = service.empty() ? absl::StrCat(target.name, " (whole server)")
                                : service;
    row.address = target.peer.address;
    if (unreachable) {
      // One timeout per server is enough to wait.
      row.status = "not checked: the server did not answer";
      continue;
    }
    HealthCheckRequest request;
    request.set_service(service);
    HealthCheckResponse response;
    auto context = CallContext(timeout);
    const grpc::Status status = stub->Check(context.get(), request, &response);
    if (status.ok()) {
      row.status = HealthCheckResponse::ServingStatus_Name(response.status());
      row.serving = response.status() == HealthCheckResponse::SERVING;
      continue;
    }
    row.status = Describe(status, timeout);
    unreachable = status.error_code() != grpc::StatusCode::NOT_FOUND;
  }
}

}  // namespace

absl::Status RunHealth(const Invocation& /*invocation*/, std::ostream& out) {
  const std::string only = absl::GetFlag(FLAGS_service);
  if (!only.empty() && only != "tracking" && only != "recommender") {
    return absl::InvalidArgumentError(
        absl::StrCat("--service=", only,
                     ": say tracking or recommender (or leave it out "
                     "for both)"));
  }
  const std::vector<Target> targets = {
      {"tracking",
       {"tracking service", absl::GetFlag(FLAGS_tracking)},
       {"smartshop.v1.TrackingService", "smartshop.v1.CatalogService"}},
      {"recommender",
       {"recommender service", absl::GetFlag(FLAGS_recommender)},
       {"smartshop.v1.RecommenderService"}},
  };
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  std::vector<Row> rows;
  for (const Target& target : targets) {
    if (only.empty() || only == target.name) Check(target, timeout, rows);
  }
  import::TextTable table({{"check"}, {"address"}, { "status" }});
  int not_serving = 0;
  for (const Row& row : rows) {
    table.AddRow({row.check, row.address, row.status});
    if (!row.serving) ++not_serving;
  }
  out << table.Render();
  if (not_serving == 0) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrFormat("%d of %d checks not SERVING", not_serving, rows.size()));
}

}  // namespace smartshop::cli
