// Pauses calls to a Redis that has stopped answering in time. A stopped or
// swamped server still accepts TCP connections (the kernel completes them),
// so neither connecting nor the reconnect backoff notices it; only the
// timeouts do. After `timeouts` of them in a row calls fail fast with
// UNAVAILABLE for `backoff`, then one call is let through as the probe: a
// reply closes the breaker, another timeout pauses again for `backoff`.
//
// The rule, here so that it can be tested with a fake clock:
//  - a reply (an error reply too) proves the server is serving: it closes
//    the breaker and resets the count;
//  - no reply within the full command timeout is a timeout;
//  - no reply before the caller's earlier deadline is a timeout too when
//    the call had waited at least `min_wait`: a healthy Redis answers in a
//    millisecond or two, so that long without a reply says the server is
//    slow, whoever set the bound. (Callers that always bound the cache by
//    the command timeout would otherwise never count at all.) Shorter
//    waits say nothing and neither count nor reset;
//  - anything else (I/O errors, which RedisPool's reconnect backoff
//    handles; no connection free in time) says nothing either.
//
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_BREAKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_BREAKER_H_

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/circuit_breaker.h"

namespace smartshop::recommender {

// How one call to Redis ended, as far as the server's health goes.
enum class RedisCallEnd {
  kReplied,    // the server answered, whatever it said
  kTimedOut,   // no reply within the full command (or connect) timeout
  kCutShort,   // no reply before the caller's earlier deadline
  kNoVerdict,  // never reached the server, or failed in another way
};

struct RedisBreakerOptions {
  // Timeouts in a row that open the breaker; at least 1.
  int timeouts = 3;
  // The least wait that makes a kCutShort call count as a timeout.
  absl::Duration min_wait = absl::Milliseconds(20);
  // How long calls fail fast before the next probe. Fixed, not growing:
  // a probe costs one caller at most one command timeout, so probing a
  // long outage every few seconds is cheap, and recovery is noticed soon.
  absl::Duration backoff = absl::Seconds(5);
};

class RedisBreaker {
 public:
  // What a Report changed, for the log line of the transition.
  struct Change {
    enum Kind { kNone, kOpened, kClosed };
    Kind kind = kNone;
    int timeouts = 0;           // kOpened: the timeouts in a row
    absl::Duration paused_for;  // kClosed: since it opened
    int64_t refused = 0;        // kClosed: calls refused meanwhile
  };

  explicit RedisBreaker(RedisBreakerOptions options,
                        const Clock& clock = Clock::Real());

  // OK: the call may go ahead, and must be reported with Report(). Else
  // UNAVAILABLE "redis: paused after repeated timeouts (next probe in …)",
  // counted in short_circuited(); nothing to report then.
  absl::Status Admit();

  // The end of a call that Admit() let through. `waited`: how long it
  // waited for the reply that did not come (kCutShort; ignored otherwise).
  Change Report(RedisCallEnd end, absl::Duration waited);

  // True while calls are refused or a probe is out.
  bool open() const;
  // Calls refused by Admit() so far.
  int64_t short_circuited() const;

 private:
  const RedisBreakerOptions options_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  // Serialised by mu_ as well, so that a transition is seen by exactly one
  // Report.
  CircuitBreaker breaker_ ABSL_GUARDED_BY(mu_);
  int streak_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time opened_at_ ABSL_GUARDED_BY(mu_);
  int64_t refused_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t refused_at_open_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_BREAKER_H_
