// Cache deletes that failed (Redis down, hung or paused by its breaker) are
// tried again until they succeed, so that an answer an event made stale
// does not outlive the outage by its whole TTL.
//
// Bounded: with more than `max_keys` deletes pending it forgets the keys
// and, once the cache answers again, drops every entry of each scope
// instead (DeletePrefix): more work for the cache, nothing stale left.
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_INVALIDATION_RETRIER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_INVALIDATION_RETRIER_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/recommender/recommendation_cache.h"

namespace smartshop::recommender {

struct InvalidationRetrierOptions {
  absl::Duration interval = absl::Seconds(1);
  size_t max_keys = 100'000;
  // The key prefixes to drop whole after an overflow.
  std::vector<std::string> scopes{};
  // Bound on each cache call, and on the whole drop after an overflow
  // (a scan of the keyspace).
  absl::Duration call_timeout = absl::Milliseconds(200);
  absl::Duration drop_all_timeout = absl::Seconds(30);
};

class InvalidationRetrier {
 public:
  // `cache` is not owned and must outlive this. `on_result` (may be empty)
  // hears "retried" or "retry_failed" per attempt, for metrics.
  InvalidationRetrier(RecommendationCache* cache,
                      InvalidationRetrierOptions options,
                      std::function<void(const char*)> on_result = {});
  ~InvalidationRetrier();  // stops the thread

  // Retries every `interval` on a thread of its own.
  void Start();
  // A delete of `key` failed: try it again later.
  void Add(const std::string& key);
  // One round now: each pending delete until the first that fails (the
  // cache is still away, the rest would fail too).
  void RetryNow();

  size_t pending() const;
  bool overflowed() const;

 private:
  RecommendationCache* const cache_;
  const InvalidationRetrierOptions options_;
  const std::function<void(const char*)> on_result_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> pending_ ABSL_GUARDED_BY(mu_);
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_INVALIDATION_RETRIER_H_
