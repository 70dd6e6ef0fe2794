// OpenAiClient against the fake OpenAI server over real HTTPS on 127.0.0.1,
// one test per outcome the recommender has to tell apart.
#include "services/recommender/openai/openai_client.h"

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/loopback_port.h"
#include "tests/testing/status_matchers.h"
#include "tools/fake_openai/fake_openai_server.h"
#include "tools/fake_openai/fake_reply.h"
#include "tools/fake_openai/self_signed_cert.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::fake_openai::CertFiles;
using ::smartshop::fake_openai::CertOptions;
using ::smartshop::fake_openai::FakeOpenAiOptions;
using ::smartshop::fake_openai::FakeOpenAiServer;
using ::smartshop::fake_openai::FakeReply;
using ::smartshop::fake_openai::RecordedRequest;
using ::smartshop::testing::DeadPort;
using ::smartshop::testing::StatusIs;
using ::testing::DoubleNear;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kKey[] = "sk-test-0123456789abcdef";

// A base URL on which the kernel completes TCP connects (from the listen
// backlog) but nobody accepts, so no TLS handshake is ever answered.
std::string SilentBaseUrl(const DeadPort& silent) {
  return absl::StrCat("https://127.0.0.1:", silent.port(), "/v1");
}

class OpenAiClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir =
        fake_openai::MakeTempDir("openai_client_test");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    absl::StatusOr<CertFiles> cert = fake_openai::WriteSelfSignedCert(dir_);
    ASSERT_TRUE(cert.ok()) << cert.status();
    cert_ = *cert;
    server_ = StartServer(cert_);
  }

  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<FakeOpenAiServer> StartServer(const CertFiles& cert) {
    FakeOpenAiOptions options;
    options.cert_file = cert.cert_file;
    options.key_file = cert.key_file;
    absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> server =
        FakeOpenAiServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? *std::move(server) : nullptr;
  }

  OpenAiOptions Options() const {
    OpenAiOptions options;
    options.api_key = kKey;
    options.base_url = server_->base_url();
    options.ca_file = cert_.cert_file;
    return options;
  }

  std::unique_ptr<OpenAiClient> MakeClient(OpenAiOptions options) {
    absl::StatusOr<std::unique_ptr<OpenAiClient>> client =
        OpenAiClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  static ChatRequest Request() {
    ChatRequest request;
    request.model = "gpt-4o-mini";
    request.messages = {{"system",
                         "You are an expert e-commerce product recommendation "
                         "engine. Always return valid JSON."},
                        {"user", "Recommend 8 products."}};
    return request;
  }

  static absl::Time In(absl::Duration d) { return absl::Now() + d; }

  // A second directory with a certificate of its own key.
  CertFiles OtherCert(const CertOptions& options = {}) {
    const std::string dir = dir_ + "/other" + std::to_string(++others_);
    std::filesystem::create_directories(dir);
    absl::StatusOr<CertFiles> cert =
        fake_openai::WriteSelfSignedCert(dir, options);
    EXPECT_TRUE(cert.ok()) << cert.status();
    return *cert;
  }

  std::string dir_;
  CertFiles cert_;
  std::unique_ptr<FakeOpenAiServer> server_;
  int others_ = 0;
};

TEST_F(OpenAiClientTest, ReturnsContentTokensAndCost) {
  FakeReply reply = FakeReply::Completion(R"js([{"product":"A (B)"}])js");
  reply.prompt_tokens = 1200;
  reply.completion_tokens = 350;
  server_->SetDefaultReply(reply);
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->content, R"js([{"product":"A (B)"}])js");
  EXPECT_EQ(completion->prompt_tokens, 1200);
  EXPECT_EQ(completion->completion_tokens, 350);
  EXPECT_THAT(completion->estimated_cost_usd,
              DoubleNear((1200 * 0.15 + 350 * 0.60) / 1e6, 1e-12));
  const OpenAiStatsSnapshot stats = client->stats();
  EXPECT_EQ(stats.ok, 1);
  EXPECT_EQ(stats.prompt_tokens, 1200);
  EXPECT_EQ(stats.completion_tokens, 350);
  EXPECT_GT(stats.last_latency, absl::ZeroDuration());
}

TEST_F(OpenAiClientTest, SendsModelMessagesParametersAndBearerKey) {
  auto client = MakeClient(Options());
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(5))).ok());

  const std::vector<RecordedRequest> requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  const RecordedRequest& seen = requests[0];
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/v1/chat/completions");
  EXPECT_EQ(seen.Header("authorization"), std::string("Bearer ") + kKey);
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_THAT(seen.Header("host"), StartsWith("127.0.0.1:"));
  ASSERT_TRUE(seen.json.is_object()) << seen.body;
  EXPECT_EQ(seen.json.at("model"), "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(seen.json.at("temperature").to_number<double>(), 0.7);
  EXPECT_EQ(seen.json.at("max_tokens").to_number<int64_t>(), 1000);
  const boost::json::array& messages = seen.json.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role"), "system");
  EXPECT_EQ(messages[1].at("role"), "user");
  EXPECT_EQ(messages[1].at("content"), "Recommend 8 products.");
}

TEST_F(OpenAiClientTest, ReusesTheConnectionForTheNextCall) {
  auto client = MakeClient(Options());
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(5))).ok());
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(5))).ok());

  EXPECT_EQ(server_->request_count(), 2);
  EXPECT_EQ(server_->connections_accepted(), 1);
  EXPECT_EQ(client->stats().connections_opened, 1);
  EXPECT_EQ(client->stats().connections_reused, 1);
}

TEST_F(OpenAiClientTest, ReconnectsWhenTheServerClosedAnIdleConnection) {
  auto client = MakeClient(Options());
  ASSERT_TRUE(client->Complete(Request(), In(absl::Seconds(5))).ok());
  server_->DropConnections();

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(server_->request_count(), 2);
  EXPECT_EQ(server_->connections_accepted(), 2);
  EXPECT_EQ(client->stats().retries, 0);
}

TEST_F(OpenAiClientTest, UnauthorizedIsNotRetried) {
  server_->SetDefaultReply(FakeReply::Error(401, "Incorrect API key"));
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnauthenticated,
                                   HasSubstr("OPENAI_API_KEY")));
  EXPECT_EQ(server_->request_count(), 1);
  EXPECT_EQ(client->stats().unauthenticated, 1);
}

TEST_F(OpenAiClientTest, ForbiddenIsPermissionDeniedWithoutRetry) {
  server_->SetDefaultReply(
      FakeReply::Error(403, "Country, region, or territory not supported"));
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kPermissionDenied,
                                   HasSubstr("not supported")));
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(OpenAiClientTest, RateLimitWaitsForRetryAfterThatFits) {
  server_->EnqueueReply(FakeReply::RateLimited(1));
  auto client = MakeClient(Options());
  const absl::Time start = absl::Now();

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), start + absl::Seconds(5));

  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));
  EXPECT_EQ(server_->request_count(), 2);
  EXPECT_EQ(client->stats().retries, 1);
}

TEST_F(OpenAiClientTest, RateLimitBeyondTheDeadlineFailsWithoutWaiting) {
  server_->SetDefaultReply(FakeReply::RateLimited(30));
  auto client = MakeClient(Options());
  const absl::Time start = absl::Now();

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), start + absl::Seconds(3));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kResourceExhausted,
                                   HasSubstr("Retry-After")));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(OpenAiClientTest, ServerErrorThenSuccessIsRetriedOnce) {
  server_->EnqueueReply(FakeReply::Error(500));
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(server_->request_count(), 2);
}

TEST_F(OpenAiClientTest, ServerErrorBurstIsUnavailableAfterTwoRequests) {
  server_->SetDefaultReply(FakeReply::Error(503, "overloaded"));
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion,
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("503")));
  EXPECT_EQ(server_->request_count(), 2);
}

TEST_F(OpenAiClientTest, BackoffThatDoesNotFitIsSkipped) {
  server_->SetDefaultReply(FakeReply::Error(500));
  OpenAiOptions options = Options();
  options.retry.backoff_min = options.retry.backoff_max = absl::Seconds(10);
  auto client = MakeClient(options);
  const absl::Time start = absl::Now();

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), start + absl::Seconds(2));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(500));
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(OpenAiClientTest, ConnectionResetIsRetriedOnce) {
  server_->EnqueueReply(FakeReply::Reset());
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(server_->request_count(), 2);
  EXPECT_EQ(client->stats().retries, 1);
}

TEST_F(OpenAiClientTest, RepeatedResetsAreUnavailable) {
  server_->SetDefaultReply(FakeReply::Reset());
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(server_->request_count(), 2);
}

TEST_F(OpenAiClientTest, HangEndsAtTheDeadline) {
  server_->SetDefaultReply(FakeReply::Hang(absl::Seconds(30)));
  auto client = MakeClient(Options());
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + absl::Milliseconds(400);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), deadline);

  const absl::Time end = absl::Now();
  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(end, deadline - absl::Milliseconds(5));
  EXPECT_LT(end, deadline + absl::Milliseconds(150));
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(OpenAiClientTest, SilentServerHitsTheConnectTimeout) {
  DeadPort silent(/*listen=*/true);
  OpenAiOptions options = Options();
  options.base_url = SilentBaseUrl(silent);
  options.connect_timeout = absl::Milliseconds(200);
  auto client = MakeClient(options);
  const absl::Time start = absl::Now();

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), start + absl::Seconds(5));

  // Two handshakes of 200 ms and a backoff of at most 300 ms.
  EXPECT_THAT(completion,
              StatusIs(absl::StatusCode::kUnavailable, HasSubstr("timed out")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST_F(OpenAiClientTest, DeadlineDuringTheHandshakeIsHonoured) {
  DeadPort silent(/*listen=*/true);
  OpenAiOptions options = Options();
  options.base_url = SilentBaseUrl(silent);
  auto client = MakeClient(options);
  const absl::Time deadline = absl::Now() + absl::Milliseconds(300);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), deadline);

  const absl::Time end = absl::Now();
  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kDeadlineExceeded));
  EXPECT_GE(end, deadline - absl::Milliseconds(5));
  EXPECT_LT(end, deadline + absl::Milliseconds(150));
}

TEST_F(OpenAiClientTest, ResolvesHostNamesAndVerifiesThem) {
  OpenAiOptions options = Options();
  options.base_url =
      "https://localhost:" + std::to_string(server_->port()) + "/v1";
  auto client = MakeClient(options);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  ASSERT_TRUE(completion.ok()) << completion.status();
  const std::vector<RecordedRequest> requests = server_->requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].Header("host"),
            "localhost:" + std::to_string(server_->port()));
}

TEST_F(OpenAiClientTest, NonJsonBodyIsDataLoss) {
  server_->SetDefaultReply(FakeReply::NotJson());
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(OpenAiClientTest, JsonWithoutChoicesIsDataLoss) {
  server_->SetDefaultReply(FakeReply::JsonWithoutChoices());
  auto client = MakeClient(Options());

  EXPECT_THAT(client->Complete(Request(), In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST_F(OpenAiClientTest, UnexpectedStatusIsInternalWithOpenAiMessage) {
  server_->SetDefaultReply(
      FakeReply::Error(404, "The model `gpt-9` does not exist"));
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kInternal,
                                   HasSubstr("does not exist")));
  EXPECT_EQ(server_->request_count(), 1);
}

TEST_F(OpenAiClientTest, UntrustedCertificateFailsBeforeSending) {
  OpenAiOptions options = Options();
  options.ca_file = OtherCert().cert_file;
  auto client = MakeClient(options);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(completion.status().message()),
              StartsWith("TLS handshake failed: "));
  EXPECT_EQ(server_->request_count(), 0);
}

TEST_F(OpenAiClientTest, SystemStoreAloneDoesNotTrustTheFake) {
  OpenAiOptions options = Options();
  options.ca_file.clear();
  auto client = MakeClient(options);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(completion.status().message()),
              StartsWith("TLS handshake failed: "));
  EXPECT_EQ(server_->request_count(), 0);
}

TEST_F(OpenAiClientTest, CertificateForAnotherHostFailsHandshake) {
  CertOptions localhost_only;
  localhost_only.ip_addresses.clear();
  const CertFiles cert = OtherCert(localhost_only);
  std::unique_ptr<FakeOpenAiServer> server = StartServer(cert);
  ASSERT_NE(server, nullptr);
  OpenAiOptions options = Options();
  options.base_url = server->base_url();  // 127.0.0.1, not in the cert
  options.ca_file = cert.cert_file;
  auto client = MakeClient(options);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(completion.status().message()),
              StartsWith("TLS handshake failed: "));
  EXPECT_THAT(completion.status().message(), HasSubstr("mismatch"));
  EXPECT_EQ(server->request_count(), 0);
}

TEST_F(OpenAiClientTest, ConnectionRefusedIsUnavailable) {
  OpenAiOptions options = Options();
  const uint16_t port = server_->port();
  server_.reset();  // nothing listens on the port any more
  options.base_url = "https://127.0.0.1:" + std::to_string(port) + "/v1";
  auto client = MakeClient(options);

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));

  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kUnavailable,
                                   HasSubstr("cannot connect")));
}

TEST_F(OpenAiClientTest, MissingKeyIsFailedPreconditionWithoutRequest) {
  OpenAiOptions options = Options();
  options.api_key.clear();
  auto client = MakeClient(options);

  EXPECT_THAT(client->Complete(Request(), In(absl::Seconds(5))),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(server_->connections_accepted(), 0);
}

TEST_F(OpenAiClientTest, KeyNeverAppearsInStatusMessages) {
  const std::string echo = std::string("Incorrect API key provided: ") + kKey;
  const FakeReply replies[] = {
      FakeReply::Error(400, echo),
      FakeReply::Error(401, echo),
      FakeReply::Error(403, echo),
      FakeReply::Error(429, echo),
      FakeReply::Error(503, echo),
      FakeReply::Raw(200, echo, "text/plain"),
      // Long enough that a snippet of it would cut the key in half.
      FakeReply::Raw(200, std::string(45, '.') + kKey, "text/plain"),
  };
  const std::string key_prefix = std::string(kKey).substr(0, 12);
  for (const FakeReply& reply : replies) {
    server_->SetDefaultReply(reply);
    auto client = MakeClient(Options());
    absl::StatusOr<ChatCompletion> completion =
        client->Complete(Request(), In(absl::Seconds(5)));
    ASSERT_FALSE(completion.ok()) << reply.status;
    EXPECT_THAT(completion.status().message(), Not(HasSubstr(kKey)))
        << completion.status();
    EXPECT_THAT(completion.status().ToString(), Not(HasSubstr(key_prefix)));
  }
}

TEST_F(OpenAiClientTest, ConcurrentCallsAllSucceedOnFewConnections) {
  OpenAiOptions options = Options();
  options.max_idle_connections = 4;
  auto client = MakeClient(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3; ++i) {
        absl::StatusOr<ChatCompletion> completion =
            client->Complete(Request(), In(absl::Seconds(5)));
        EXPECT_TRUE(completion.ok()) << completion.status();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(server_->request_count(), 12);
  EXPECT_LE(server_->connections_accepted(), 4);
  EXPECT_EQ(client->stats().ok, 12);
}

// A schema shaped like the picks' (model/response_parser.h), by name.
ResponseSchema NameSchema() {
  return ResponseSchema{"product_picks_by_name", boost::json::parse(R"({
    "type": "object", "additionalProperties": false,
    "required": ["recommendations"],
    "properties": {"recommendations": {"type": "array", "maxItems": 8,
      "items": {"type": "object", "additionalProperties": false,
        "required": ["product", "relevance_score", "reason"],
        "properties": {"product": {"type": "string"},
                       "relevance_score": {"type": "number"},
                       "reason": {"type": "string"}}}}}})")};
}

bool HasResponseFormat(const RecordedRequest& request) {
  return request.json.is_object() &&
         request.json.as_object().contains("response_format");
}

TEST_F(OpenAiClientTest, AStructuredRequestGetsTheSchemaObject) {
  ChatRequest request = Request();
  request.response_schema = NameSchema();
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> completion =
      client->Complete(request, In(absl::Seconds(5)));

  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_TRUE(completion->structured);
  EXPECT_EQ(completion->finish_reason, "stop");
  const boost::json::value content = boost::json::parse(completion->content);
  const boost::json::array& picks = content.at("recommendations").as_array();
  ASSERT_EQ(picks.size(), 8u);
  EXPECT_THAT(std::string(picks[0].at("product").as_string()),
              StartsWith("HAND WARMER UNION JACK ("));
  EXPECT_EQ(content.as_object().size(), 1u);
  const std::vector<RecordedRequest> seen = server_->requests();
  ASSERT_EQ(seen.size(), 1u);
  const boost::json::value& format = seen[0].json.at("response_format");
  EXPECT_EQ(format.at("type"), "json_schema");
  EXPECT_EQ(format.at("json_schema").at("strict"), true);
  EXPECT_EQ(format.at("json_schema").at("name"), "product_picks_by_name");
}

TEST_F(OpenAiClientTest, APlainRequestGetsTheArrayAsBefore) {
  auto client = MakeClient(Options());
  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_FALSE(completion->structured);
  EXPECT_TRUE(boost::json::parse(completion->content).is_array());
  EXPECT_FALSE(HasResponseFormat(server_->requests()[0]));
}

TEST_F(OpenAiClientTest, ARejectedResponseFormatIsDroppedForGood) {
  server_->SetRejectResponseFormat(true);
  ChatRequest request = Request();
  request.response_schema = NameSchema();
  auto client = MakeClient(Options());

  absl::StatusOr<ChatCompletion> first =
      client->Complete(request, In(absl::Seconds(5)));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_FALSE(first->structured);
  EXPECT_TRUE(boost::json::parse(first->content).is_array());
  std::vector<RecordedRequest> seen = server_->requests();
  ASSERT_EQ(seen.size(), 2u);  // one retry, without response_format
  EXPECT_TRUE(HasResponseFormat(seen[0]));
  EXPECT_FALSE(HasResponseFormat(seen[1]));
  EXPECT_FALSE(client->StructuredOutputSupported(request.model));
  // Another model of the same client (a secondary model) keeps its own.
  EXPECT_TRUE(client->StructuredOutputSupported("another-model"));

  absl::StatusOr<ChatCompletion> second =
      client->Complete(request, In(absl::Seconds(5)));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->structured);
  seen = server_->requests();
  ASSERT_EQ(seen.size(), 3u);  // no second attempt with it
  EXPECT_FALSE(HasResponseFormat(seen[2]));
  EXPECT_EQ(client->stats().structured_fallbacks, 1);
  EXPECT_EQ(client->stats().ok, 2);
}

TEST_F(OpenAiClientTest, AnOther400IsNotRetriedWithoutResponseFormat) {
  server_->EnqueueReply(
      FakeReply::Error(400, "max_tokens is too large: 100000"));
  ChatRequest request = Request();
  request.response_schema = NameSchema();
  auto client = MakeClient(Options());
  absl::StatusOr<ChatCompletion> completion =
      client->Complete(request, In(absl::Seconds(5)));
  EXPECT_THAT(completion, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(server_->request_count(), 1);
  EXPECT_TRUE(client->StructuredOutputSupported(request.model));
}

TEST_F(OpenAiClientTest, ARefusalArrivesAsSuch) {
  server_->EnqueueReply(FakeReply::Refusal("I can't help with that."));
  ChatRequest request = Request();
  request.response_schema = NameSchema();
  auto client = MakeClient(Options());
  absl::StatusOr<ChatCompletion> completion =
      client->Complete(request, In(absl::Seconds(5)));
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->refusal, "I can't help with that.");
  EXPECT_EQ(completion->content, "");
}

TEST_F(OpenAiClientTest, AReplyCutOffSaysSo) {
  FakeReply cut = FakeReply::Completion(R"({"recommendations":[{"prod)");
  cut.finish_reason = "length";
  server_->EnqueueReply(cut);
  auto client = MakeClient(Options());
  absl::StatusOr<ChatCompletion> completion =
      client->Complete(Request(), In(absl::Seconds(5)));
  ASSERT_TRUE(completion.ok()) << completion.status();
  EXPECT_EQ(completion->finish_reason, "length");
}

TEST_F(OpenAiClientTest, EachModelIsPricedAtItsOwnPrices) {
  FakeReply reply = FakeReply::Completion("[]");
  reply.prompt_tokens = 1000;
  reply.completion_tokens = 100;
  server_->SetDefaultReply(reply);
  OpenAiOptions options = Options();
  options.prices["acme-large"] = TokenPrices{10, 5, 40};
  auto client = MakeClient(options);
  ChatRequest request = Request();
  const std::pair<const char*, double> kCosts[] = {
      {"gpt-4o-mini", (1000 * 0.15 + 100 * 0.60) / 1e6},
      {"gpt-4.1-nano", (1000 * 0.10 + 100 * 0.40) / 1e6},
      // A dated snapshot at its model's prices.
      {"gpt-4o-2024-08-06", (1000 * 2.50 + 100 * 10.00) / 1e6},
      {"acme-large", (1000 * 10.0 + 100 * 40.0) / 1e6},
  };
  for (const auto& [model, cost] : kCosts) {
    request.model = model;
    absl::StatusOr<ChatCompletion> completion =
        client->Complete(request, In(absl::Seconds(5)));
    ASSERT_TRUE(completion.ok()) << model << ": " << completion.status();
    EXPECT_THAT(completion->estimated_cost_usd, DoubleNear(cost, 1e-12))
        << model;
  }
}

TEST_F(OpenAiClientTest, ARepeatedLongPrefixIsCachedAndCostsLess) {
  FakeReply reply = FakeReply::Completion("[]");
  reply.prompt_tokens = FakeReply::kEstimateTokens;
  reply.completion_tokens = 100;
  server_->SetDefaultReply(reply);
  ChatRequest request = Request();
  // About 2000 tokens of instructions and catalog shared by both calls.
  request.messages[0].content = std::string(8000, 'c');
  auto client = MakeClient(Options());

  request.messages[1].content = "shopper one";
  absl::StatusOr<ChatCompletion> first =
      client->Complete(request, In(absl::Seconds(5)));
  request.messages[1].content = "shopper two, who differs";
  absl::StatusOr<ChatCompletion> second =
      client->Complete(request, In(absl::Seconds(5)));

  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->cached_prompt_tokens, 0);
  EXPECT_GE(second->cached_prompt_tokens, 1024);
  EXPECT_EQ(second->cached_prompt_tokens % 128, 0);
  EXPECT_LE(second->cached_prompt_tokens, 2000);
  EXPECT_GT(second->prompt_tokens, first->prompt_tokens);  // a longer tail
  // Cached tokens at half the input price: the longer prompt costs less.
  EXPECT_LT(second->estimated_cost_usd, first->estimated_cost_usd);
  const TokenPrices prices;
  EXPECT_THAT(
      second->estimated_cost_usd,
      DoubleNear(
          ((second->prompt_tokens - second->cached_prompt_tokens) *
               prices.input_per_million +
           second->cached_prompt_tokens * prices.cached_input_per_million +
           100 * prices.output_per_million) /
              1e6,
          1e-12));
  EXPECT_EQ(client->stats().cached_prompt_tokens, second->cached_prompt_tokens);
  EXPECT_EQ(server_->usage().cached_prompt_tokens,
            second->cached_prompt_tokens);
  EXPECT_EQ(server_->usage().completions, 2);
}

TEST(OpenAiClientCreateTest, RejectsBadOptionsNamingTheField) {
  OpenAiOptions options;
  options.base_url = "ftp://example.com";
  absl::StatusOr<std::unique_ptr<OpenAiClient>> client =
      OpenAiClient::Create(options);
  EXPECT_THAT(client, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client.status().message(), HasSubstr("base_url"));

  options = {};
  options.ca_file = "/nonexistent/ca.pem";
  client = OpenAiClient::Create(options);
  EXPECT_THAT(client, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client.status().message(), HasSubstr("ca_file"));
}

}  // namespace
}  // namespace smartshop::recommender
