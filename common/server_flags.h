// The flags both service binaries share, written once: the gRPC and admin
// listen addresses, TLS, caller authentication and the drain on SIGTERM.
// Each binary defines them, at namespace scope in its config file, with its
// own environment prefix and listen defaults:
//
//   SMARTSHOP_SERVER_FLAGS("TRACKING", "127.0.0.1:50051", "127.0.0.1:9090");
//
// and reads them with ReadServerFlags(). The flags live in the binary (not in
// this library) because their defaults and help texts name the service; only
// the two service binaries link this library.
#ifndef SMARTSHOP_COMMON_SERVER_FLAGS_H_
#define SMARTSHOP_COMMON_SERVER_FLAGS_H_

#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/caller_auth.h"
#include "common/tls_files.h"

// ENV is the services' environment prefix (a string literal); LISTEN and
// ADMIN the default host:port of the gRPC and the admin HTTP server.
#define SMARTSHOP_SERVER_FLAGS(ENV, LISTEN, ADMIN)                             \
  ABSL_FLAG(std::string, listen, LISTEN,                                       \
            "gRPC listen address (env " ENV "_LISTEN)");                       \
  ABSL_FLAG(std::string, admin_listen, ADMIN,                                  \
            "HTTP address for /metrics, /healthz and /readyz "                 \
            "(env " ENV "_ADMIN_LISTEN)");                                     \
  ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(20),                  \
            "time in-flight calls get to finish after SIGTERM "                \
            "(env " ENV "_DRAIN_TIMEOUT)");                                    \
  ABSL_FLAG(std::string, tls_cert_file, "",                                    \
            "serve gRPC over TLS with this certificate (PEM); empty = "        \
            "plaintext (env " ENV "_TLS_CERT_FILE)");                          \
  ABSL_FLAG(std::string, tls_key_file, "",                                     \
            "the certificate's private key (PEM) (env " ENV "_TLS_KEY_FILE)"); \
  ABSL_FLAG(std::string, tls_client_ca_file, "",                               \
            "require client certificates signed by this CA (mutual TLS) "      \
            "(env " ENV "_TLS_CLIENT_CA_FILE)");                               \
  ABSL_FLAG(std::string, auth_tokens_file, "",                                 \
            "callers' bearer tokens, one \"<caller> <read|write|read,write> "  \
            "<token>\" per line; required unless --insecure_no_auth "          \
            "(env " ENV "_AUTH_TOKENS_FILE)");                                 \
  ABSL_FLAG(bool, insecure_no_auth, false,                                     \
            "serve every caller without a token: local development only")

namespace smartshop {

struct ServerFlags {
  std::string listen_address;  // --listen, host:port for gRPC
  std::string admin_address;   // --admin_listen, for /metrics, /healthz...
  absl::Duration drain_timeout;
  ServerTlsFiles tls;  // plaintext when empty
  std::string auth_tokens_file;
  bool insecure_no_auth = false;

  // The callers to admit: LoadCallerAuth(auth_tokens_file, insecure_no_auth).
  absl::StatusOr<std::shared_ptr<const CallerAuth>> LoadAuth() const;
};

// The flags' values; call after absl::ParseCommandLine. INTERNAL naming the
// flag when the binary does not define them with SMARTSHOP_SERVER_FLAGS.
absl::StatusOr<ServerFlags> ReadServerFlags();

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_SERVER_FLAGS_H_
