#include "tests/testing/fake_recommender_deps.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace smartshop::testing {

absl::StatusOr<std::vector<smartshop::v1::Interaction>>
FakeTrackingReader::ListInteractions(
    const smartshop::v1::ListInteractionsRequest& request, absl::Time) {
  absl::MutexLock lock(&mu_);
  requests_.push_back(request);
  if (!failure_.ok()) return failure_;
  std::vector<smartshop::v1::Interaction> out;
  for (const auto& i : interactions_) {
    if (!request.user_id().empty() && i.user_id() != request.user_id())
      continue;
    if (!request.session_key().empty() &&
        i.session_key() != request.session_key()) {
      continue;
    }
    if (request.has_since() &&
        (i.timestamp().seconds() < request.since().seconds())) {
      continue;
    }
    if (!request.exclude_user_id().empty() &&
        i.user_id() == request.exclude_user_id()) {
      continue;
    }
    if (request.types_size() > 0 &&
        std::find(request.types().begin(), request.types().end(), i.type()) ==
            request.types().end()) {
      continue;
    }
    if (static_cast<int>(out.size()) >= request.limit()) break;
    out.push_back(i);
  }
  return out;
}

absl::StatusOr<smartshop::v1::DeleteUserDataResponse>
FakeTrackingReader::DeleteUserData(const std::string& user_id, absl::Time,
                                   const std::string&) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  const size_t before = interactions_.size();
  std::erase_if(interactions_, [&](const smartshop::v1::Interaction& i) {
    return i.user_id() == user_id;
  });
  smartshop::v1::DeleteUserDataResponse response;
  response.set_deleted_interactions(
      static_cast<int64_t>(before - interactions_.size()));
  return response;
}

absl::StatusOr<std::vector<smartshop::v1::Product>>
FakeTrackingReader::ListAllProducts(absl::Time deadline) {
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    ++product_loads_;
    delay = products_delay_;
  }
  if (absl::Now() + delay > deadline) {
    absl::SleepFor(std::max(absl::ZeroDuration(), deadline - absl::Now()));
    return absl::DeadlineExceededError("fake tracking: too slow");
  }
  absl::SleepFor(delay);
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return products_;
}

absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>>
FakeTrackingReader::ListMerchandisingRules(absl::Time /*deadline*/) {
  absl::MutexLock lock(&mu_);
  if (!rules_failure_.ok()) return rules_failure_;
  return rules_;
}

void FakeTrackingReader::SetRules(
    std::vector<smartshop::v1::MerchandisingRule> rules) {
  absl::MutexLock lock(&mu_);
  rules_ = std::move(rules);
}

void FakeTrackingReader::FailRulesWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  rules_failure_ = std::move(status);
}

void FakeTrackingReader::SetProductsDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  products_delay_ = delay;
}

int FakeTrackingReader::product_loads() const {
  absl::MutexLock lock(&mu_);
  return product_loads_;
}

void FakeTrackingReader::SetInteractions(
    std::vector<smartshop::v1::Interaction> interactions) {
  absl::MutexLock lock(&mu_);
  interactions_ = std::move(interactions);
}

void FakeTrackingReader::SetProducts(
    std::vector<smartshop::v1::Product> products) {
  absl::MutexLock lock(&mu_);
  products_ = std::move(products);
}

void FakeTrackingReader::FailWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

std::vector<smartshop::v1::ListInteractionsRequest>
FakeTrackingReader::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

absl::StatusOr<recommender::ChatCompletion> FakeLlmClient::Complete(
    const recommender::ChatRequest& request, absl::Time deadline) {
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    delay = delay_;
  }
  if (absl::Now() + delay > deadline) {
    absl::SleepFor(std::max(absl::ZeroDuration(), deadline - absl::Now()));
    return absl::DeadlineExceededError("fake model: too slow");
  }
  absl::SleepFor(delay);
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return recommender::ChatCompletion{content_, 100, 50, 0.0001};
}

void FakeLlmClient::Reply(std::string content) {
  absl::MutexLock lock(&mu_);
  content_ = std::move(content);
  failure_ = absl::OkStatus();
}

void FakeLlmClient::FailWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeLlmClient::SetDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  delay_ = delay;
}

std::vector<recommender::ChatRequest> FakeLlmClient::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

absl::StatusOr<std::optional<smartshop::v1::Recommendations>>
FakeRecommendationCache::Get(const std::string& key, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second.first;
}

absl::Status FakeRecommendationCache::Set(
    const std::string& key, const smartshop::v1::Recommendations& value,
    absl::Duration ttl, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  entries_[key] = {value, ttl};
  return absl::OkStatus();
}

absl::StatusOr<int64_t> FakeRecommendationCache::Delete(const std::string& key,
                                                        absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  ++key_fences_[key];
  return static_cast<int64_t>(entries_.erase(key));
}

absl::StatusOr<int64_t> FakeRecommendationCache::DeletePrefix(
    const std::string& prefix, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  ++scope_fences_[prefix];
  int64_t deleted = 0;
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (absl::StartsWith(it->first, prefix)) {
      it = entries_.erase(it);
      ++deleted;
    } else {
      ++it;
    }
  }
  return deleted;
}

absl::StatusOr<recommender::RecommendationCache::Fence>
FakeRecommendationCache::ReadFence(const std::string& key,
                                   const std::string& scope, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return FenceOf(key, scope);
}

absl::StatusOr<bool> FakeRecommendationCache::SetUnlessInvalidated(
    const std::string& key, const std::string& scope,
    const smartshop::v1::Recommendations& value, absl::Duration ttl,
    const Fence& fence, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  if (!(FenceOf(key, scope) == fence)) return false;
  entries_[key] = {value, ttl};
  return true;
}

recommender::RecommendationCache::Fence FakeRecommendationCache::FenceOf(
    const std::string& key, const std::string& scope) const {
  auto k = key_fences_.find(key);
  auto s = scope_fences_.find(scope);
  return {k == key_fences_.end() ? 0 : k->second,
          s == scope_fences_.end() ? 0 : s->second};
}

void FakeRecommendationCache::FailWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

absl::Duration FakeRecommendationCache::ttl(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? absl::ZeroDuration() : it->second.second;
}

bool FakeRecommendationCache::contains(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  return entries_.contains(key);
}

std::vector<std::string> FakeRecommendationCache::KeysStartingWith(
    const std::string& prefix) const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> keys;
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && absl::StartsWith(it->first, prefix); ++it) {
    keys.push_back(it->first);
  }
  return keys;
}

}  // namespace smartshop::testing
