// The fake OpenAI server over HTTPS with a certificate made for the test,
// and the environment that points a recommender binary at it.
#ifndef SMARTSHOP_TESTS_INTEGRATION_HTTPS_FAKE_OPENAI_H_
#define SMARTSHOP_TESTS_INTEGRATION_HTTPS_FAKE_OPENAI_H_

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tools/fake_openai/fake_openai_server.h"
#include "tools/fake_openai/self_signed_cert.h"

namespace smartshop::testing {

class HttpsFakeOpenAi {
 public:
  explicit HttpsFakeOpenAi(fake_openai::FakeReply default_reply) {
    auto dir = fake_openai::MakeTempDir("fake-openai");
    EXPECT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    auto cert = fake_openai::WriteSelfSignedCert(dir_);
    EXPECT_TRUE(cert.ok()) << cert.status();
    cert_file_ = cert->cert_file;
    fake_openai::FakeOpenAiOptions options;
    options.cert_file = cert->cert_file;
    options.key_file = cert->key_file;
    options.default_reply = std::move(default_reply);
    auto server = fake_openai::FakeOpenAiServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  ~HttpsFakeOpenAi() {
    server_->Stop();
    std::system(absl::StrCat("rm -rf ", dir_).c_str());
  }

  fake_openai::FakeOpenAiServer& server() { return *server_; }
  // OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_CA_FILE for a recommender.
  std::vector<std::string> Env(const std::string& api_key) const {
    return {absl::StrCat("OPENAI_API_KEY=", api_key),
            absl::StrCat("OPENAI_BASE_URL=", server_->base_url()),
            absl::StrCat("OPENAI_CA_FILE=", cert_file_)};
  }

 private:
  std::string dir_;
  std::string cert_file_;
  std::unique_ptr<fake_openai::FakeOpenAiServer> server_;
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_HTTPS_FAKE_OPENAI_H_
