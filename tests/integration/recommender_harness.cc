#include "tests/integration/recommender_harness.h"

#include <hiredis/hiredis.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/clock.h"
#include "gtest/gtest.h"
#include "services/recommender/ranker_chain_factory.h"
#include "tools/fake_openai/self_signed_cert.h"

namespace smartshop::testing {

RecommenderHarness::RecommenderHarness(RecommenderHarnessOptions options)
    : options_(std::move(options)) {
  redis_url_ = options_.redis_url.empty() ? ReadTestEnv()["REDIS_URL"]
                                          : options_.redis_url;
  // A prefix per test process: tests share the fixture's Redis.
  key_prefix_ = absl::StrCat("test", getpid(), "_", std::rand(),
                             ":ai_recommended_products_");
  tracking_ = std::make_unique<TrackingHarness>(db_.url());
  tracking_port_ = tracking_->port();

  auto dir = fake_openai::MakeTempDir("recommender-test");
  EXPECT_TRUE(dir.ok()) << dir.status();
  cert_dir_ = *dir;
  auto cert = fake_openai::WriteSelfSignedCert(cert_dir_);
  EXPECT_TRUE(cert.ok()) << cert.status();
  fake_openai::FakeOpenAiOptions fake_options;
  fake_options.cert_file = cert->cert_file;
  fake_options.key_file = cert->key_file;
  auto fake = fake_openai::FakeOpenAiServer::Start(fake_options);
  EXPECT_TRUE(fake.ok()) << fake.status();
  fake_ = std::move(*fake);

  recommender::OpenAiOptions openai_options;
  openai_options.api_key = options_.api_key;
  openai_options.base_url = fake_->base_url();
  openai_options.ca_file = cert->cert_file;
  if (!options_.trust_fake) {
    // A certificate of another key: the fake's is not signed by it.
    auto other = fake_openai::WriteSelfSignedCert(
        *fake_openai::MakeTempDir("recommender-test-other"));
    openai_options.ca_file = other->cert_file;
  }
  auto openai = recommender::OpenAiClient::Create(openai_options);
  EXPECT_TRUE(openai.ok()) << openai.status();
  openai_ = std::move(*openai);

  recommender::RedisCacheOptions redis_options;
  redis_options.url = redis_url_;
  auto cache = recommender::RedisRecommendationCache::Create(redis_options);
  EXPECT_TRUE(cache.ok()) << cache.status();
  cache_ = std::move(*cache);

  auto tracking_channel =
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", tracking_port_),
                                grpc::InsecureChannelCredentials(),
                                recommender::TrackingChannelArguments());
  reader_ = std::make_unique<recommender::GrpcTrackingReader>(tracking_channel);
  catalog_ = std::make_unique<recommender::CatalogRefresher>(
      reader_.get(), absl::Hours(1), absl::Seconds(5));
  recommender::EngineOptions engine_options = options_.engine;
  engine_options.cache_prefix = key_prefix_;
  engine_options.session_cache_prefix = absl::StrCat(key_prefix_, "session_");
  engine_options.placement_cache_prefix =
      absl::StrCat(key_prefix_, "placement_");
  engine_options.experiment_cache_prefix =
      absl::StrCat(key_prefix_, "experiment_");
  if (options_.builtin) {
    model_ = std::make_unique<recommender::InteractionModel>();
  }
  recommender::LlmClient* const llm =
      options_.use_model ? openai_.get() : nullptr;
  const recommender::PromptBuilder prompt =
      *recommender::PromptBuilder::Create({});
  engine_ = std::make_unique<recommender::RecommendationEngine>(
      reader_.get(), catalog_.get(), cache_.get(),
      recommender::MakeRankerChain(llm, prompt, engine_options, model_.get(),
                                   nullptr),
      engine_options, Clock::Real(), nullptr, model_.get(),
      recommender::MakePlacementChains(llm, prompt, engine_options,
                                       model_.get(), nullptr));
  served_sink_ =
      std::make_unique<recommender::GrpcServedSink>(tracking_channel);
  served_log_ = std::make_unique<recommender::ServedLog>(
      served_sink_.get(),
      recommender::ServedLogOptions{.flush_interval = absl::Milliseconds(20)});
  engine_->set_served_log(served_log_.get());
  if (options_.builtin) {
    feed_ = std::make_unique<recommender::EventFeed>(
        tracking_channel, model_.get(),
        [this](const smartshop::v1::Interaction& event) {
          engine_->OnLiveEvent(event);
        },
        recommender::EventFeedOptions{.retry_initial = absl::Milliseconds(50),
                                      .retry_max = absl::Milliseconds(200)});
    feed_->Start();
  }
  // Authentication has tests of its own (auth_process_test.cc).
  service_ = std::make_unique<recommender::RecommenderServiceImpl>(
      engine_.get(), absl::Seconds(30), CallerAuth::Disabled());
  auto started =
      StartGrpcServer({.listen_address = "127.0.0.1:0"}, {service_.get()});
  EXPECT_TRUE(started.ok()) << started.status();
  server_ = std::move(started->server);
  stub_ = smartshop::v1::RecommenderService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", started->port),
                          grpc::InsecureChannelCredentials()));
}

RecommenderHarness::~RecommenderHarness() {
  feed_.reset();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  fake_->Stop();
  if (cache_) {
    (void)cache_->DeletePrefix(key_prefix_, absl::Now() + absl::Seconds(2));
  }
  std::system(absl::StrCat("rm -rf ", cert_dir_).c_str());
}

void RecommenderHarness::SeedCatalog() {
  smartshop::v1::UpsertCategoriesRequest categories;
  auto* kitchen = categories.add_categories();
  kitchen->set_id(1);
  kitchen->set_name("Kitchen");
  auto* garden = categories.add_categories();
  garden->set_id(2);
  garden->set_name("Garden");
  smartshop::v1::UpsertCategoriesResponse cr;
  ASSERT_TRUE(
      tracking_->catalog()
          .UpsertCategories(TrackingHarness::Context().get(), categories, &cr)
          .ok());
  std::vector<smartshop::v1::Product> products;
  for (int64_t id = 1; id <= 12; ++id) products.push_back(SeededProduct(id));
  UpsertProducts(products);
  ASSERT_TRUE(catalog_->Refresh().ok());
}

void RecommenderHarness::UpsertProducts(
    const std::vector<smartshop::v1::Product>& products) {
  smartshop::v1::UpsertProductsRequest request;
  for (const smartshop::v1::Product& p : products) *request.add_products() = p;
  smartshop::v1::UpsertProductsResponse response;
  const grpc::Status status = tracking_->catalog().UpsertProducts(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

smartshop::v1::Product SeededProduct(int64_t id) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name(absl::StrCat("Product ", id));
  p.set_category_id(id % 2 == 1 ? 1 : 2);
  p.set_is_active(true);
  p.set_units_sold(10 * id);
  p.set_price_cents(100 * id);
  return p;
}

void RecommenderHarness::Track(smartshop::v1::InteractionType type,
                               const std::string& user, int64_t product) {
  smartshop::v1::TrackRequest request;
  auto* event = request.mutable_interaction();
  event->set_type(type);
  event->set_product_id(product);
  if (user.empty()) {
    event->set_session_key("anon-session");
  } else {
    event->set_user_id(user);
  }
  if (type == smartshop::v1::ADD_TO_CART) event->set_quantity(1);
  if (type == smartshop::v1::ORDER_PLACED) event->set_order_id(1);
  smartshop::v1::TrackResponse response;
  grpc::Status status = tracking_->tracking().Track(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

void RecommenderHarness::RestartTracking() {
  tracking_ = std::make_unique<TrackingHarness>(
      db_.url(), TrackingHarness::Options{.port = tracking_port_});
}

void RecommenderHarness::Track(const smartshop::v1::Interaction& event) {
  smartshop::v1::TrackRequest request;
  *request.mutable_interaction() = event;
  smartshop::v1::TrackResponse response;
  grpc::Status status = tracking_->tracking().Track(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
}

smartshop::v1::Recommendations RecommenderHarness::Get(
    const smartshop::v1::GetRecommendationsRequest& request) {
  smartshop::v1::Recommendations response;
  grpc::Status status = stub_->GetRecommendations(
      TrackingHarness::Context().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

smartshop::v1::Recommendations RecommenderHarness::Get(const std::string& user,
                                                       absl::Duration timeout) {
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id(user);
  smartshop::v1::Recommendations response;
  grpc::Status status = stub_->GetRecommendations(
      TrackingHarness::Context(timeout).get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response;
}

namespace {

// One command on a connection of its own: `read` sees the reply (null when
// the command failed).
template <typename Read>
void RedisCommand(const std::string& redis_url, const char* command,
                  const std::string& argument, Read read) {
  auto address = recommender::ParseRedisUrl(redis_url);
  EXPECT_TRUE(address.ok());
  redisContext* c = redisConnect(address->host.c_str(), address->port);
  EXPECT_TRUE(c != nullptr && c->err == 0);
  auto* reply = static_cast<redisReply*>(
      redisCommand(c, "%s %b", command, argument.data(), argument.size()));
  read(reply);
  freeReplyObject(reply);
  redisFree(c);
}

}  // namespace

int64_t RedisPttl(const std::string& redis_url, const std::string& key) {
  int64_t pttl = -3;
  RedisCommand(redis_url, "PTTL", key, [&](const redisReply* reply) {
    if (reply != nullptr) pttl = reply->integer;
  });
  return pttl;
}

std::vector<std::string> RedisKeys(const std::string& redis_url,
                                   const std::string& pattern) {
  std::vector<std::string> keys;
  RedisCommand(redis_url, "KEYS", pattern, [&](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY) return;
    for (size_t i = 0; i < reply->elements; ++i) {
      keys.emplace_back(reply->element[i]->str, reply->element[i]->len);
    }
  });
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace smartshop::testing
