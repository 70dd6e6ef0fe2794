// In-memory fakes of the recommender's I/O edges (tracking, model, cache),
// each able to fail on demand and recording how it was called.
#ifndef SMARTSHOP_TESTS_FAKES_FAKE_RECOMMENDER_DEPS_H_
#define SMARTSHOP_TESTS_FAKES_FAKE_RECOMMENDER_DEPS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/recommender/model/llm_client.h"
#include "services/recommender/recommendation_cache.h"
#include "services/recommender/tracking_reader.h"

namespace smartshop::testing {

// Serves ListInteractions from a list (filters: user_id, exclude_user_id,
// session_key, types, since (whole seconds), limit; newest first = the
// order given) and the catalog.
class FakeTrackingReader : public recommender::TrackingReader {
 public:
  absl::StatusOr<std::vector<smartshop::v1::Interaction>> ListInteractions(
      const smartshop::v1::ListInteractionsRequest& request,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::Product>> ListAllProducts(
      absl::Time deadline) override;
  absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
  ListMerchandisingRules(absl::Time deadline) override;
  absl::StatusOr<smartshop::v1::DeleteUserDataResponse> DeleteUserData(
      const std::string& user_id, absl::Time deadline,
      const std::string& caller_authorization) override;

  // Newest first.
  void SetInteractions(std::vector<smartshop::v1::Interaction> interactions);
  void SetProducts(std::vector<smartshop::v1::Product> products);
  void FailWith(absl::Status status);
  void SetRules(std::vector<smartshop::v1::MerchandisingRule> rules);
  // ListMerchandisingRules fails with this (OK = serves the rules).
  void FailRulesWith(absl::Status status);
  // ListAllProducts takes this long (DEADLINE_EXCEEDED past its deadline).
  void SetProductsDelay(absl::Duration delay);
  int product_loads() const;
  std::vector<smartshop::v1::ListInteractionsRequest> requests() const;

 private:
  mutable absl::Mutex mu_;
  absl::Duration products_delay_ ABSL_GUARDED_BY(mu_);
  int product_loads_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<smartshop::v1::Interaction> interactions_ ABSL_GUARDED_BY(mu_);
  std::vector<smartshop::v1::Product> products_ ABSL_GUARDED_BY(mu_);
  std::vector<smartshop::v1::MerchandisingRule> rules_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  absl::Status rules_failure_ ABSL_GUARDED_BY(mu_);
  std::vector<smartshop::v1::ListInteractionsRequest> requests_
      ABSL_GUARDED_BY(mu_);
};

// Answers with a scripted content or status; records requests.
class FakeLlmClient : public recommender::LlmClient {
 public:
  absl::StatusOr<recommender::ChatCompletion> Complete(
      const recommender::ChatRequest& request, absl::Time deadline) override;

  void Reply(std::string content);
  void FailWith(absl::Status status);
  void SetDelay(absl::Duration delay);
  std::vector<recommender::ChatRequest> requests() const;

 private:
  mutable absl::Mutex mu_;
  std::string content_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
  std::vector<recommender::ChatRequest> requests_ ABSL_GUARDED_BY(mu_);
};

// A map with TTLs recorded (not enforced); can fail every call.
class FakeRecommendationCache : public recommender::RecommendationCache {
 public:
  absl::StatusOr<std::optional<smartshop::v1::Recommendations>> Get(
      const std::string& key, absl::Time deadline) override;
  absl::Status Set(const std::string& key,
                   const smartshop::v1::Recommendations& value,
                   absl::Duration ttl, absl::Time deadline) override;
  absl::StatusOr<int64_t> Delete(const std::string& key,
                                 absl::Time deadline) override;
  absl::StatusOr<int64_t> DeletePrefix(const std::string& prefix,
                                       absl::Time deadline) override;
  absl::StatusOr<Fence> ReadFence(const std::string& key,
                                  const std::string& scope,
                                  absl::Time deadline) override;
  absl::StatusOr<bool> SetUnlessInvalidated(
      const std::string& key, const std::string& scope,
      const smartshop::v1::Recommendations& value, absl::Duration ttl,
      const Fence& fence, absl::Time deadline) override;

  void FailWith(absl::Status status);
  // The TTL of the last Set for `key`; zero if none.
  absl::Duration ttl(const std::string& key) const;
  bool contains(const std::string& key) const;
  // The keys held that start with `prefix`, in order.
  std::vector<std::string> KeysStartingWith(const std::string& prefix) const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string,
           std::pair<smartshop::v1::Recommendations, absl::Duration>>
      entries_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> key_fences_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> scope_fences_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);

  Fence FenceOf(const std::string& key, const std::string& scope) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_FAKES_FAKE_RECOMMENDER_DEPS_H_
