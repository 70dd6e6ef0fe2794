// The whole request path in one process, on real dependencies: the tracking
// service over a fresh Postgres database, the recommender over gRPC, Redis
// (the ctest fixture's, under a key prefix of its own), and the fake OpenAI
// server over HTTPS with a certificate made for the test.
#ifndef SMARTSHOP_TESTS_INTEGRATION_RECOMMENDER_HARNESS_H_
#define SMARTSHOP_TESTS_INTEGRATION_RECOMMENDER_HARNESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/cache/redis_recommendation_cache.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/event_feed.h"
#include "services/recommender/openai/openai_client.h"
#include "services/recommender/recommendation_engine.h"
#include "services/recommender/recommender_service.h"
#include "services/recommender/served_log.h"
#include "services/recommender/tracking_reader.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/test_database.h"
#include "tools/fake_openai/fake_openai_server.h"

namespace smartshop::testing {

struct RecommenderHarnessOptions {
  recommender::EngineOptions engine{};
  // Redis to use; empty = the fixture's.
  std::string redis_url{};
  // Trust the fake's certificate (false: the client trusts another one).
  bool trust_fake = true;
  std::string api_key = "sk-test-fake-key-123";
  // false: no model configured (the builtin ranker ranks, if there is one).
  bool use_model = true;
  // The builtin ranker's model, kept current by an event feed from the
  // tracking service, with live invalidation.
  bool builtin = false;
};

class RecommenderHarness {
 public:
  explicit RecommenderHarness(RecommenderHarnessOptions options = {});
  ~RecommenderHarness();

  TrackingHarness& tracking() { return *tracking_; }
  fake_openai::FakeOpenAiServer& fake() { return *fake_; }
  smartshop::v1::RecommenderService::Stub& recommender() { return *stub_; }
  recommender::CatalogRefresher& catalog() { return *catalog_; }
  const std::string& key_prefix() const { return key_prefix_; }
  const std::string& redis_url() const { return redis_url_; }
  // Stops the in-process tracking service (its database stays).
  void StopTracking() { tracking_.reset(); }
  // Starts it again on the same port and database.
  void RestartTracking();
  // Set with options.builtin only.
  recommender::InteractionModel* model() { return model_.get(); }
  recommender::EventFeed* feed() { return feed_.get(); }
  const std::string& database_url() const { return db_.url(); }
  // Every answer served is recorded in tracking (batches every 20 ms).
  recommender::ServedLog& served_log() { return *served_log_; }

  // Catalog: categories 1 "Kitchen", 2 "Garden"; products 1..12 as
  // SeededProduct makes them.
  void SeedCatalog();
  // Through the tracking service's CatalogService; fails the test on an
  // error. The recommender sees them after its next catalog refresh.
  void UpsertProducts(const std::vector<smartshop::v1::Product>& products);
  // One event through the tracking service.
  void Track(smartshop::v1::InteractionType type, const std::string& user,
             int64_t product);
  // GetRecommendations with a deadline; fails the test on an error.
  smartshop::v1::Recommendations Get(
      const std::string& user, absl::Duration timeout = absl::Seconds(10));
  smartshop::v1::Recommendations Get(
      const smartshop::v1::GetRecommendationsRequest& request);
  // One event as given through the tracking service.
  void Track(const smartshop::v1::Interaction& event);

 private:
  RecommenderHarnessOptions options_;
  std::string redis_url_;
  std::string key_prefix_;
  TestDatabase db_;
  std::unique_ptr<TrackingHarness> tracking_;
  std::string cert_dir_;
  std::unique_ptr<fake_openai::FakeOpenAiServer> fake_;
  std::unique_ptr<recommender::OpenAiClient> openai_;
  std::unique_ptr<recommender::RedisRecommendationCache> cache_;
  std::unique_ptr<recommender::GrpcTrackingReader> reader_;
  std::unique_ptr<recommender::CatalogRefresher> catalog_;
  int tracking_port_ = 0;
  std::unique_ptr<recommender::InteractionModel> model_;
  std::unique_ptr<recommender::RecommendationEngine> engine_;
  std::unique_ptr<recommender::GrpcServedSink> served_sink_;
  std::unique_ptr<recommender::ServedLog> served_log_;
  std::unique_ptr<recommender::EventFeed> feed_;
  std::unique_ptr<recommender::RecommenderServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<smartshop::v1::RecommenderService::Stub> stub_;
};

// Product `id` as SeedCatalog seeds it: "Product <id>", category 1 for an
// odd id (else 2), units_sold 10 * id, price 100 * id cents, active.
smartshop::v1::Product SeededProduct(int64_t id);

// PTTL of `key` in milliseconds (-2: no such key), straight from Redis.
int64_t RedisPttl(const std::string& redis_url, const std::string& key);
// The keys matching a glob `pattern` (Redis KEYS: for tests only), sorted.
std::vector<std::string> RedisKeys(const std::string& redis_url,
                                   const std::string& pattern);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_INTEGRATION_RECOMMENDER_HARNESS_H_
