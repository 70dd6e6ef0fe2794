// The fake's own plumbing: certificates and start/stop. Its HTTP behaviour
// is exercised through the real client in
// services/recommender/openai/openai_client_test.cc.
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/json.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/fake_openai/fake_openai_server.h"
#include "tools/fake_openai/fake_reply.h"
#include "tools/fake_openai/prompt_cache.h"
#include "tools/fake_openai/self_signed_cert.h"

namespace smartshop::fake_openai {
namespace {

using ::testing::HasSubstr;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::unique_ptr<X509, X509Free> ReadCert(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (f == nullptr) return nullptr;
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_X509(f, nullptr, nullptr, nullptr));
  std::fclose(f);
  return cert;
}

class FakeOpenAiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("fake_openai_test");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Subdir(const std::string& name) {
    std::filesystem::create_directories(dir_ + "/" + name);
    return dir_ + "/" + name;
  }

  std::string dir_;
};

TEST_F(FakeOpenAiTest, CertCoversLocalhostAndLoopbackAndIsPrivate) {
  absl::StatusOr<CertFiles> files = WriteSelfSignedCert(dir_);
  ASSERT_TRUE(files.ok()) << files.status();
  auto cert = ReadCert(files->cert_file);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "api.openai.com", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  const auto perms = std::filesystem::status(files->key_file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_all,
            std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_all,
            std::filesystem::perms::none);
}

TEST_F(FakeOpenAiTest, EachCertHasItsOwnKey) {
  absl::StatusOr<CertFiles> a = WriteSelfSignedCert(Subdir("a"));
  absl::StatusOr<CertFiles> b = WriteSelfSignedCert(Subdir("b"));
  ASSERT_TRUE(a.ok() && b.ok());
  auto cert_a = ReadCert(a->cert_file);
  auto cert_b = ReadCert(b->cert_file);
  ASSERT_TRUE(cert_a && cert_b);
  EXPECT_NE(X509_cmp(cert_a.get(), cert_b.get()), 0);
  // b does not verify with a's key: a client trusting a rejects b.
  EXPECT_NE(X509_verify(cert_b.get(), X509_get0_pubkey(cert_a.get())), 1);
}

TEST_F(FakeOpenAiTest, StartFailsOnMissingCertificate) {
  FakeOpenAiOptions options;
  options.cert_file = dir_ + "/missing.pem";
  options.key_file = dir_ + "/missing.key";
  absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> server =
      FakeOpenAiServer::Start(options);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(server.status().message(), HasSubstr("cert_file"));
}

TEST_F(FakeOpenAiTest, StopsPromptlyWithAClientMidHandshake) {
  absl::StatusOr<CertFiles> files = WriteSelfSignedCert(dir_);
  ASSERT_TRUE(files.ok()) << files.status();
  FakeOpenAiOptions options;
  options.cert_file = files->cert_file;
  options.key_file = files->key_file;
  absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> server =
      FakeOpenAiServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_NE((*server)->port(), 0);
  EXPECT_THAT((*server)->base_url(), HasSubstr("https://127.0.0.1:"));

  // A TCP client that never starts TLS keeps a session waiting.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect(
      {boost::asio::ip::make_address("127.0.0.1"), (*server)->port()});
  for (int i = 0; i < 100 && (*server)->connections_accepted() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ((*server)->connections_accepted(), 1);

  const absl::Time start = absl::Now();
  (*server)->Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_EQ((*server)->request_count(), 0);
}

TEST(FakeReplyTest, ContentBuilders) {
  const std::string json = RecommendationsJson(DefaultRecommendations());
  EXPECT_THAT(json, HasSubstr("{\"product\": \"HAND WARMER UNION JACK ("));
  EXPECT_THAT(json, HasSubstr("\"relevance_score\": 97.5,"));
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(json, ec);
  ASSERT_FALSE(ec) << json;
  EXPECT_EQ(parsed.as_array().size(), 8u);
  EXPECT_THAT(InMarkdownFence(json), ::testing::StartsWith("```json\n["));
  EXPECT_THAT(WithProse(json), HasSubstr("\n[\n"));
  EXPECT_EQ(DefaultRecommendations().size(), 8u);
}

TEST(PromptCacheTest, CachesTheSharedPrefixInBlocksFrom1024Tokens) {
  PromptCache cache;
  // 4 characters a token: 1024 tokens are 4096 characters, a block 512.
  const std::string shared(5000, 's');
  EXPECT_EQ(cache.LookupAndInsert(shared + "first shopper"),
            0);  // nothing seen
  // 5000 shared characters: 9 whole blocks of 128 tokens.
  EXPECT_EQ(cache.LookupAndInsert(shared + "second shopper"), 9 * 128);
  // The very same prompt again: all of its whole blocks.
  const std::string again = shared + "second shopper";
  EXPECT_EQ(cache.LookupAndInsert(again), 128 * (again.size() / 512));
}

TEST(PromptCacheTest, NothingBelow1024TokensAndOnlyFromTheStart) {
  PromptCache cache;
  const std::string short_shared(4000, 'a');  // 1000 tokens, 7 blocks
  cache.LookupAndInsert(short_shared + "x");
  EXPECT_EQ(cache.LookupAndInsert(short_shared + "y"), 0);
  // The same text after a different start shares no prefix.
  cache.LookupAndInsert(std::string(6000, 'b'));
  EXPECT_EQ(cache.LookupAndInsert("z" + std::string(6000, 'b')), 0);
}

TEST(PromptCacheTest, PromptTextIsRolesAndContentsInOrder) {
  const boost::json::value request = boost::json::parse(
      R"({"model":"m","messages":[{"role":"system","content":"S"},
                                  {"role":"user","content":"U"}]})");
  EXPECT_EQ(PromptText(request), "system\nS\nuser\nU\n");
  EXPECT_EQ(PromptText(boost::json::parse("[1]")), "");
  EXPECT_EQ(EstimateTokens("abcde"), 2);
  EXPECT_EQ(EstimateTokens(""), 0);
}

TEST(FakeReplyTest, StructuredBuilders) {
  const auto items = DefaultRecommendations();
  const boost::json::value by_name =
      boost::json::parse(StructuredRecommendationsJson(items));
  ASSERT_EQ(by_name.at("recommendations").as_array().size(), 8u);
  EXPECT_TRUE(by_name.at("recommendations")
                  .as_array()[0]
                  .as_object()
                  .contains("product"));
  const boost::json::value by_id =
      boost::json::parse(StructuredRecommendationsJson(items, {5, 7}));
  const auto& picks = by_id.at("recommendations").as_array();
  ASSERT_EQ(picks.size(), 2u);
  EXPECT_EQ(picks[1].at("product_id").as_int64(), 7);
  EXPECT_FALSE(picks[1].as_object().contains("product"));
  EXPECT_EQ(boost::json::parse(RecommendationsJson(items, {4}))
                .as_array()[0]
                .at("product_id")
                .as_int64(),
            4);
  EXPECT_EQ(boost::json::parse(SchemaViolatingJson())
                .at("recommendations")
                .as_array()[0]
                .at("relevance_score")
                .as_int64(),
            150);
}

}  // namespace
}  // namespace smartshop::fake_openai
