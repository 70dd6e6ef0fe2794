#include "services/recommender/invalidation_retrier.h"

#include <utility>

#include "common/json_log.h"

namespace smartshop::recommender {

InvalidationRetrier::InvalidationRetrier(
    RecommendationCache* cache, InvalidationRetrierOptions options,
    std::function<void(const char*)> on_result)
    : cache_(cache),
      options_(std::move(options)),
      on_result_(std::move(on_result)) {}

InvalidationRetrier::~InvalidationRetrier() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void InvalidationRetrier::Start() {
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(options_.interval)) {
      RetryNow();
    }
  });
}

void InvalidationRetrier::Add(const std::string& key) {
  absl::MutexLock lock(&mu_);
  if (overflowed_) return;  // everything will be dropped anyway
  pending_.insert(key);
  if (pending_.size() > options_.max_keys) {
    pending_.clear();
    overflowed_ = true;
    Log(LogLevel::kWarning, "invalidation_retries_overflowed",
        {{"max_keys", static_cast<int64_t>(options_.max_keys)},
         {"then", "every cached answer is dropped once the cache answers"}});
  }
}

void InvalidationRetrier::RetryNow() {
  bool overflowed;
  absl::flat_hash_set<std::string> keys;
  {
    absl::MutexLock lock(&mu_);
    overflowed = overflowed_;
    keys.swap(pending_);
  }
  auto report = [this](bool ok) {
    if (on_result_) on_result_(ok ? "retried" : "retry_failed");
  };
  if (overflowed) {
    {
      // Deletes that fail from now on are kept again: the drop below may
      // have passed their keys already.
      absl::MutexLock lock(&mu_);
      overflowed_ = false;
    }
    for (const std::string& scope : options_.scopes) {
      absl::StatusOr<int64_t> dropped =
          cache_->DeletePrefix(scope, absl::Now() + options_.drop_all_timeout);
      report(dropped.ok());
      if (!dropped.ok()) {
        absl::MutexLock lock(&mu_);
        overflowed_ = true;  // next round, everything again
        pending_.clear();
        return;
      }
    }
    Log(LogLevel::kInfo, "invalidation_retries_recovered",
        {{"dropped", "every cached answer"}});
    return;
  }
  for (auto it = keys.begin(); it != keys.end(); ++it) {
    if (stop_.HasBeenNotified()) {
      for (; it != keys.end(); ++it) Add(*it);
      return;
    }
    absl::StatusOr<int64_t> deleted =
        cache_->Delete(*it, absl::Now() + options_.call_timeout);
    report(deleted.ok());
    if (!deleted.ok()) {
      // Put back this one and every one not tried yet.
      for (; it != keys.end(); ++it) Add(*it);
      return;
    }
  }
}

size_t InvalidationRetrier::pending() const {
  absl::MutexLock lock(&mu_);
  return pending_.size();
}

bool InvalidationRetrier::overflowed() const {
  absl::MutexLock lock(&mu_);
  return overflowed_;
}

}  // namespace smartshop::recommender
