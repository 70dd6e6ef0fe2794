// TLS and mutual TLS between the recommender and tracking, with a CA and
// certificates made for the test (the openssl command): a client with a
// certificate the CA signed gets through; without one, with a certificate
// of another CA, in plaintext, or trusting another server CA, it does not.
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/tracking_reader.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_database.h"
#include "tools/fake_openai/self_signed_cert.h"

namespace smartshop::testing {
namespace {

// A CA, a server certificate for 127.0.0.1 it signed, a client certificate
// it signed, and a client certificate of nobody's.
class TestPki {
 public:
  TestPki() {
    auto dir = fake_openai::MakeTempDir("tls-test");
    EXPECT_TRUE(dir.ok());
    dir_ = *dir;
    const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1";
    Run(absl::StrCat("openssl req -x509 ", key, " -nodes -keyout ca.key",
                     " -out ca.pem -days 2 -subj /CN=smartshop-test-ca"));
    Run(absl::StrCat("openssl req -x509 ", key, " -nodes -keyout other-ca.key",
                     " -out other-ca.pem -days 2 -subj /CN=another-ca"));
    Run("printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext");
    Sign("server", "localhost", "-extfile san.ext", key);
    Sign("client", "recommender", "", key);
    Run(absl::StrCat("openssl req -x509 ", key, " -nodes -keyout rogue.key",
                     " -out rogue.pem -days 2 -subj /CN=rogue"));
  }
  ~TestPki() { std::system(absl::StrCat("rm -rf ", dir_).c_str()); }

  std::string File(const std::string& name) const {
    return absl::StrCat(dir_, "/", name);
  }

 private:
  void Sign(const std::string& name, const std::string& cn,
            const std::string& extra, const std::string& key) {
    Run(absl::StrCat("openssl req ", key, " -nodes -keyout ", name,
                     ".key -out ", name, ".csr -subj /CN=", cn));
    Run(absl::StrCat("openssl x509 -req -in ", name,
                     ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out ",
                     name, ".pem -days 2 ", extra));
  }
  void Run(const std::string& command) {
    const std::string line =
        absl::StrCat("cd ", dir_, " && ", command, " >/dev/null 2>&1");
    ASSERT_EQ(std::system(line.c_str()), 0) << command;
  }
  std::string dir_;
};

class TlsTest : public ::testing::Test {
 protected:
  // ListAllProducts through a channel made with `files`.
  absl::Status Call(ClientTlsFiles files) {
    // Connect by the name on the certificate, as to a Kubernetes Service.
    if (!files.ca_file.empty()) files.server_name = "localhost";
    auto channel = MakeChannel(target_, files);
    if (!channel.ok()) return channel.status();
    recommender::GrpcTrackingReader reader(*channel);
    return reader.ListAllProducts(absl::Now() + absl::Seconds(5)).status();
  }

  TestPki pki_;
  TestDatabase db_;
  TrackingHarness server_{db_.url(),
                          {.tls = {.cert_file = pki_.File("server.pem"),
                                   .key_file = pki_.File("server.key"),
                                   .client_ca_file = pki_.File("ca.pem")}}};
  const std::string target_ = absl::StrCat("127.0.0.1:", server_.port());
};

TEST_F(TlsTest, AClientWithACertificateTheCaSignedGetsThrough) {
  const absl::Status status = Call({.ca_file = pki_.File("ca.pem"),
                                    .cert_file = pki_.File("client.pem"),
                                    .key_file = pki_.File("client.key")});
  EXPECT_TRUE(status.ok()) << status;
}

TEST_F(TlsTest, ClientsWithoutAValidCertificateAreRefused) {
  // No client certificate.
  EXPECT_THAT(Call({.ca_file = pki_.File("ca.pem")}),
              StatusIs(absl::StatusCode::kUnavailable));
  // A certificate nobody signed.
  EXPECT_THAT(Call({.ca_file = pki_.File("ca.pem"),
                    .cert_file = pki_.File("rogue.pem"),
                    .key_file = pki_.File("rogue.key")}),
              StatusIs(absl::StatusCode::kUnavailable));
  // Plaintext.
  EXPECT_THAT(Call({}), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TlsTest, AServerTheClientDoesNotTrustIsRefused) {
  EXPECT_THAT(Call({.ca_file = pki_.File("other-ca.pem"),
                    .cert_file = pki_.File("client.pem"),
                    .key_file = pki_.File("client.key")}),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TlsFilesTest, IncompleteOrUnreadableFilesAreRefusedClearly) {
  EXPECT_THAT(MakeServerCredentials({.cert_file = "/nonexistent.pem"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(MakeServerCredentials({.cert_file = "/nonexistent.pem",
                                   .key_file = "/nonexistent.key"})
                .status()
                .message(),
            "--tls_cert_file: cannot read /nonexistent.pem");
  EXPECT_THAT(MakeServerCredentials({.client_ca_file = "/x.pem"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeChannel("127.0.0.1:1", {.cert_file = "/c.pem"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace smartshop::testing
