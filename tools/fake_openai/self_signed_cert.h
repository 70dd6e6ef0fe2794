// Self-signed TLS certificates made at test time with the OpenSSL C API, so
// that tests and the demo need no `openssl` tool and no key material in
// the repository. Each call makes a new key: a client that trusts one
// certificate does not trust another, which is how tests get "a
// certificate the client does not trust".
#ifndef SMARTSHOP_TOOLS_FAKE_OPENAI_SELF_SIGNED_CERT_H_
#define SMARTSHOP_TOOLS_FAKE_OPENAI_SELF_SIGNED_CERT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace smartshop::fake_openai {

struct CertOptions {
  std::string common_name = "fake_openai";
  // subjectAltName entries; clients verify the host name against these.
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
  absl::Duration valid_for = absl::Hours(24 * 30);
};

struct CertFiles {
  // PEM certificate: the server presents it, and a client trusts it as its
  // own CA (it is marked CA:TRUE and signs itself).
  std::string cert_file;
  // PEM private key (EC P-256), readable by the owner only.
  std::string key_file;
};

// Writes `dir`/cert.pem and `dir`/key.pem, replacing existing files.
// REQUIRES: `dir` exists. INTERNAL on an OpenSSL failure, UNAVAILABLE when
// a file cannot be written.
absl::StatusOr<CertFiles> WriteSelfSignedCert(absl::string_view dir,
                                              const CertOptions& options = {});

// A fresh directory under $TEST_TMPDIR (else /tmp) for certificates and
// other test files; the caller removes it if it cares.
absl::StatusOr<std::string> MakeTempDir(absl::string_view prefix);

}  // namespace smartshop::fake_openai

#endif  // SMARTSHOP_TOOLS_FAKE_OPENAI_SELF_SIGNED_CERT_H_
