// Where the primary of a Redis behind Sentinel is now: asks the sentinels
// (SENTINEL get-master-addr-by-name) one after another, starting with the
// one that answered last, each within its own timeout and all within the
// caller's deadline. The pool (redis_pool.h) asks on every connect and once
// a second while connected, so that after a failover it moves to the new
// primary instead of writing to a demoted one.
//
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SENTINEL_RESOLVER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SENTINEL_RESOLVER_H_

#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/recommender/cache/redis_options.h"

namespace smartshop::recommender {

class SentinelResolver {
 public:
  // REQUIRES: `sentinels` not empty; `timeout` positive.
  SentinelResolver(std::vector<RedisEndpoint> sentinels,
                   std::string master_name, absl::Duration timeout);

  // The primary's address per the first sentinel that knows it. UNAVAILABLE
  // naming the master and the last sentinel's failure when none answers or
  // none knows the master; DEADLINE_EXCEEDED when `deadline` passes first.
  absl::StatusOr<RedisEndpoint> Primary(absl::Time deadline) const;

  const std::string& master_name() const { return master_name_; }

 private:
  absl::StatusOr<RedisEndpoint> Ask(const RedisEndpoint& sentinel,
                                    absl::Time deadline) const;

  const std::vector<RedisEndpoint> sentinels_;
  const std::string master_name_;
  const absl::Duration timeout_;
  // Index of the sentinel that answered last: asked first next time.
  mutable std::atomic<size_t> preferred_{0};
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SENTINEL_RESOLVER_H_
