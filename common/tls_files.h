// TLS from PEM files (a Kubernetes Secret mounted as files, say): server
// credentials, optionally requiring client certificates signed by a given
// CA (mutual TLS), and client channel credentials with an optional client
// certificate. Empty file names mean plaintext, for local development.
#ifndef SMARTSHOP_COMMON_TLS_FILES_H_
#define SMARTSHOP_COMMON_TLS_FILES_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace smartshop {

struct ServerTlsFiles {
  std::string cert_file = "";  // empty = plaintext
  std::string key_file = "";
  // When set, every client must present a certificate signed by this CA.
  std::string client_ca_file = "";
};

struct ClientTlsFiles {
  // The CA that signed the server's certificate; empty = plaintext.
  std::string ca_file = "";
  // This client's certificate and key, for servers that require them.
  std::string cert_file = "";
  std::string key_file = "";
  // The name to check the server's certificate against, when it is not the
  // host of the target (e.g. a Service name behind an IP).
  std::string server_name = "";
};

// INVALID_ARGUMENT naming the flag for an incomplete or unreadable set.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// A channel to `target`, over TLS when `files.ca_file` is set, whose calls
// carry `bearer_token` when it is not empty (see bearer_channel.h).
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const ClientTlsFiles& files,
    grpc::ChannelArguments arguments = {},
    const std::string& bearer_token = "");

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_TLS_FILES_H_
