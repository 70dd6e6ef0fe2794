#include "tools/fake_openai/self_signed_cert.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace smartshop::fake_openai {
namespace {

struct OpenSslFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
  void operator()(BIGNUM* p) const { BN_free(p); }
  void operator()(BIO* p) const { BIO_free_all(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, OpenSslFree>;

absl::Status OpenSslError(absl::string_view what) {
  char buffer[256] = "unknown error";
  if (unsigned long code = ERR_get_error(); code != 0) {
    ERR_error_string_n(code, buffer, sizeof(buffer));
  }
  ERR_clear_error();
  return absl::InternalError(absl::StrCat(what, ": ", buffer));
}

absl::Status AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  Owned<X509_EXTENSION> ext(
      X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return OpenSslError(absl::StrCat("extension ", OBJ_nid2sn(nid)));
  }
  return absl::OkStatus();
}

absl::StatusOr<Owned<X509>> MakeCert(EVP_PKEY* key,
                                     const CertOptions& options) {
  Owned<X509> cert(X509_new());
  Owned<BIGNUM> serial(BN_new());
  if (cert == nullptr || serial == nullptr) return OpenSslError("X509_new");
  // A random serial: two certificates with the same issuer name and serial
  // would confuse a client that has seen both.
  if (X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) ==
          nullptr ||
      // Back-dated an hour so that a slightly slow clock still accepts it.
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()),
                      absl::ToInt64Seconds(options.valid_for)) == nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("filling the certificate");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_ASC,
          reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
          -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(), name) != 1) {
    return OpenSslError("certificate name");
  }

  std::vector<std::string> alt_names;
  for (const std::string& dns : options.dns_names) {
    alt_names.push_back(absl::StrCat("DNS:", dns));
  }
  for (const std::string& ip : options.ip_addresses) {
    alt_names.push_back(absl::StrCat("IP:", ip));
  }
  // CA:TRUE lets a client load this very certificate as its trust anchor
  // (OPENAI_CA_FILE); it is also the server's leaf certificate.
  const std::pair<int, std::string> extensions[] = {
      {NID_basic_constraints, "critical,CA:TRUE"},
      {NID_key_usage, "critical,digitalSignature,keyCertSign"},
      {NID_ext_key_usage, "serverAuth"},
      {NID_subject_key_identifier, "hash"},
      {NID_subject_alt_name, absl::StrJoin(alt_names, ",")},
  };
  for (const auto& [nid, value] : extensions) {
    if (nid == NID_subject_alt_name && alt_names.empty()) continue;
    if (absl::Status s = AddExtension(cert.get(), nid, value); !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) {
    return OpenSslError("X509_sign");
  }
  return cert;
}

absl::Status WriteKey(const std::string& path, EVP_PKEY* key) {
  // Owner-only from the start, not chmod-ed afterwards.
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  Owned<BIO> bio(BIO_new_fd(fd, BIO_CLOSE));
  if (bio == nullptr) {
    close(fd);
    return OpenSslError("BIO_new_fd");
  }
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    return OpenSslError(absl::StrCat("writing ", path));
  }
  return absl::OkStatus();
}

absl::Status WriteCert(const std::string& path, X509* cert) {
  Owned<BIO> bio(BIO_new_file(path.c_str(), "w"));
  if (bio == nullptr) {
    ERR_clear_error();
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  if (PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError(absl::StrCat("writing ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CertFiles> WriteSelfSignedCert(absl::string_view dir,
                                              const CertOptions& options) {
  Owned<EVP_PKEY> key(EVP_EC_gen("P-256"));
  if (key == nullptr) return OpenSslError("EC key generation");
  absl::StatusOr<Owned<X509>> cert = MakeCert(key.get(), options);
  if (!cert.ok()) return cert.status();

  CertFiles files{absl::StrCat(dir, "/cert.pem"),
                  absl::StrCat(dir, "/key.pem")};
  if (absl::Status s = WriteKey(files.key_file, key.get()); !s.ok()) return s;
  if (absl::Status s = WriteCert(files.cert_file, cert->get()); !s.ok()) {
    return s;
  }
  return files;
}

absl::StatusOr<std::string> MakeTempDir(absl::string_view prefix) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string pattern = absl::StrCat(
      base != nullptr && *base != '\0' ? base : "/tmp", "/", prefix, "XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("mkdtemp ", pattern, ": ", std::strerror(errno)));
  }
  return pattern;
}

}  // namespace smartshop::fake_openai
