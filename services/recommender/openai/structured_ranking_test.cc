// The model path end to end against the fake OpenAI over HTTPS: the
// prompt with the picks' schema, OpenAiClient, and ModelRanker reading the
// reply strictly, or tolerantly after a gateway rejected response_format.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/recommender/model/model_ranker.h"
#include "services/recommender/openai/openai_client.h"
#include "tools/fake_openai/fake_openai_server.h"
#include "tools/fake_openai/fake_reply.h"
#include "tools/fake_openai/self_signed_cert.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::fake_openai::FakeOpenAiOptions;
using ::smartshop::fake_openai::FakeOpenAiServer;
using ::smartshop::fake_openai::FakeReply;

// Shows the model the given catalog products as candidates.
class ListedCandidates : public CandidateSource {
 public:
  explicit ListedCandidates(std::vector<int64_t> ids) : ids_(std::move(ids)) {}
  std::vector<PromptBuilder::Candidate> Candidates(
      const RankingRequest& request) const override {
    std::vector<PromptBuilder::Candidate> out;
    for (int64_t id : ids_)
      out.push_back({request.catalog.Find(id), "Popular"});
    return out;
  }

 private:
  const std::vector<int64_t> ids_;
};

// The fake's default picks, ids 1..8, plus two more.
CatalogSnapshot FakePicksCatalog() {
  std::vector<smartshop::v1::Product> products;
  int64_t id = 0;
  for (const auto& pick : fake_openai::DefaultRecommendations()) {
    const size_t open = pick.product.find(" (");
    smartshop::v1::Product p;
    p.set_id(++id);
    p.set_name(pick.product.substr(0, open));
    p.set_category_name(
        pick.product.substr(open + 2, pick.product.size() - open - 3));
    p.set_is_active(true);
    products.push_back(p);
  }
  for (int i = 0; i < 2; ++i) {
    smartshop::v1::Product p;
    p.set_id(++id);
    p.set_name(absl::StrCat("Extra ", i));
    p.set_category_name("Other");
    p.set_is_active(true);
    products.push_back(p);
  }
  return CatalogSnapshot(products, absl::Now());
}

class StructuredRankingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir =
        fake_openai::MakeTempDir("structured_ranking_test");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    absl::StatusOr<fake_openai::CertFiles> cert =
        fake_openai::WriteSelfSignedCert(dir_);
    ASSERT_TRUE(cert.ok()) << cert.status();
    FakeOpenAiOptions options;
    options.cert_file = cert->cert_file;
    options.key_file = cert->key_file;
    absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> server =
        FakeOpenAiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    OpenAiOptions client_options;
    client_options.api_key = "sk-test-structured";
    client_options.base_url = server_->base_url();
    client_options.ca_file = cert->cert_file;
    absl::StatusOr<std::unique_ptr<OpenAiClient>> client =
        OpenAiClient::Create(client_options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<ModelRanker> Ranker(std::vector<int64_t> candidates = {}) {
    PromptSettings settings;  // gpt-4o-mini
    settings.structured_output = StructuredOutput::kAuto;
    return std::make_unique<ModelRanker>(
        client_.get(), *PromptBuilder::Create(settings), ModelRankerOptions{},
        candidates.empty()
            ? nullptr
            : std::make_unique<ListedCandidates>(std::move(candidates)),
        nullptr);
  }
  std::variant<Ranking, RankingFailure> Rank(ModelRanker& ranker) {
    return ranker.Rank({.catalog = catalog_,
                        .summary = summary_,
                        .personalised = true,
                        .builtin = input_},
                       absl::Now() + absl::Seconds(10));
  }
  static std::vector<int64_t> Ids(const Ranking& ranking) {
    std::vector<int64_t> ids;
    for (const auto& item : ranking.items) ids.push_back(item.product->id());
    return ids;
  }
  bool LastHadResponseFormat() const {
    const auto requests = server_->requests();
    return !requests.empty() &&
           requests.back().json.as_object().contains("response_format");
  }

  std::string dir_;
  std::unique_ptr<FakeOpenAiServer> server_;
  std::unique_ptr<OpenAiClient> client_;
  const CatalogSnapshot catalog_ = FakePicksCatalog();
  const std::vector<ProductActivity> summary_ = {
      {.key = "Extra 0 (Other)", .product_id = 9, .views = 2}};
  const RankingInput input_{};
};

TEST_F(StructuredRankingTest, TheOriginalPromptIsAnsweredByNameInTheSchema) {
  auto ranker = Ranker();
  auto ranked = Rank(*ranker);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked))
      << std::get<RankingFailure>(ranked).reason;
  EXPECT_THAT(Ids(std::get<Ranking>(ranked)),
              ::testing::ElementsAre(1, 2, 3, 4, 5, 6, 7, 8));
  EXPECT_TRUE(LastHadResponseFormat());
}

TEST_F(StructuredRankingTest, TheHybridPromptIsAnsweredWithTheShownIds) {
  auto ranker = Ranker({10, 3, 9});
  auto ranked = Rank(*ranker);
  ASSERT_TRUE(std::holds_alternative<Ranking>(ranked))
      << std::get<RankingFailure>(ranked).reason;
  EXPECT_THAT(Ids(std::get<Ranking>(ranked)), ::testing::ElementsAre(10, 3, 9));
}

TEST_F(StructuredRankingTest, ARefusalIsModelRefused) {
  server_->SetDefaultReply(FakeReply::Refusal());
  auto ranker = Ranker();
  auto ranked = Rank(*ranker);
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(ranked));
  EXPECT_EQ(std::get<RankingFailure>(ranked).code, "model_refused");
  EXPECT_EQ(std::get<RankingFailure>(ranked).reason, "model: refused");
}

TEST_F(StructuredRankingTest, AnObjectOffTheSchemaIsASchemaViolation) {
  server_->SetDefaultReply(
      FakeReply::Completion(fake_openai::SchemaViolatingJson()));
  auto ranker = Ranker();
  auto ranked = Rank(*ranker);
  ASSERT_TRUE(std::holds_alternative<RankingFailure>(ranked));
  EXPECT_EQ(std::get<RankingFailure>(ranked).code, "model_schema_violation");
  EXPECT_EQ(std::get<RankingFailure>(ranked).reason,
            "model: reply violates the schema");
}

TEST_F(StructuredRankingTest, AGatewayWithoutItFallsBackToTheTolerantParser) {
  server_->SetRejectResponseFormat(true);
  // A plain answer in a fence, as models without structured outputs write.
  server_->SetDefaultReply(FakeReply::Completion(
      fake_openai::InMarkdownFence(fake_openai::RecommendationsJson(
          fake_openai::DefaultRecommendations()))));
  auto ranker = Ranker();
  for (int call = 0; call < 2; ++call) {
    auto ranked = Rank(*ranker);
    ASSERT_TRUE(std::holds_alternative<Ranking>(ranked))
        << std::get<RankingFailure>(ranked).reason;
    EXPECT_EQ(std::get<Ranking>(ranked).items.size(), 8u);
    EXPECT_FALSE(LastHadResponseFormat());
  }
  EXPECT_EQ(server_->request_count(), 3);  // 400, retry, second call
}

}  // namespace
}  // namespace smartshop::recommender
