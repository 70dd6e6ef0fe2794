#include "tools/cli/rpc_util.h"

#include "absl/strings/str_cat.h"
#include "common/bearer_channel.h"
#include "common/status_util.h"

namespace smartshop::cli {

std::shared_ptr<grpc::Channel> Connect(const Peer& peer) {
  return CreateToolChannel(peer.address);
}

std::unique_ptr<grpc::ClientContext> CallContext(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(ClientDeadline(timeout));
  return context;
}

absl::Status CallError(const Peer& peer, absl::string_view method,
                       const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return AtPeer(peer, FromGrpcStatus(status, method));
}

absl::Status AtPeer(const Peer& peer, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(
      status.code(),
      absl::StrCat(peer.service, " at ", peer.address, ": ", status.message(),
                   " (", absl::StatusCodeToString(status.code()), ")"));
}

}  // namespace smartshop::cli
