// How the smartshop commands call the services: one plaintext channel per
// service, a deadline on every call, and failures turned into an
// absl::Status that names the service, its address, the call and the gRPC
// code, so that "connection refused" says where.
#ifndef SMARTSHOP_TOOLS_CLI_RPC_UTIL_H_
#define SMARTSHOP_TOOLS_CLI_RPC_UTIL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::cli {

// A service at an address, for messages: {"tracking service", "host:port"}.
struct Peer {
  absl::string_view service;
  std::string address;
};

std::shared_ptr<grpc::Channel> Connect(const Peer& peer);

// A context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> CallContext(absl::Duration timeout);

// "<service> at <address>: <method>: <server message> (<CODE>)", with the
// call's code. OK stays OK.
absl::Status CallError(const Peer& peer, absl::string_view method,
                       const grpc::Status& status);

// The same for a status the import library made (it names the call).
absl::Status AtPeer(const Peer& peer, const absl::Status& status);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_RPC_UTIL_H_
