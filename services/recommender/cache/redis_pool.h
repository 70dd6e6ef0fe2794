// A small pool of synchronous hiredis connections to one Redis server, so
// that concurrent callers do not queue on one socket, with the failure
// handling a cache needs: every command bounded by a timeout, a connection
// dropped after any I/O error or timeout (its reply stream can no longer be
// trusted), reconnection on demand, and a short backoff after a failed
// connect during which calls fail fast instead of each paying the connect
// timeout again. Going down and coming back up are logged once each. A
// server that accepts connections but stops answering (stopped, swamped) is
// paused after repeated timeouts (redis_breaker.h): calls fail fast until a
// probe gets a reply; pausing and resuming are logged once each too.
// Behind Redis Sentinel (a redis-sentinel:// URL) it connects to the primary
// the sentinels name, checks that the server it reached says it is the
// primary (ROLE), and asks again every sentinel_check_interval while
// connected: after a failover it drops every connection to the old primary
// and moves to the new one. A READONLY reply (a demoted primary, also behind
// a managed Redis whose name moved) drops the connection too, so the next
// connect goes wherever the address points now.
//
// Thread-safe. A connection is used by one caller at a time.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_POOL_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_POOL_H_

#include <hiredis/hiredis.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/recommender/cache/redis_breaker.h"
#include "services/recommender/cache/redis_options.h"
#include "services/recommender/cache/sentinel_resolver.h"

namespace smartshop::recommender {

struct RedisReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

// One leased connection; valid only inside RedisPool::Run's callback.
class RedisSession {
 public:
  RedisSession(const RedisSession&) = delete;
  RedisSession& operator=(const RedisSession&) = delete;

  // Sends `args` (binary-safe; args[0] is the command) and waits for the
  // reply for at most min(command timeout, deadline - now). Never returns a
  // REDIS_REPLY_ERROR reply: LOADING, BUSY, READONLY, NOAUTH and the like
  // become UNAVAILABLE, OOM RESOURCE_EXHAUSTED, others INTERNAL; the
  // connection stays usable. No reply in time -> DEADLINE_EXCEEDED; I/O
  // error or closed connection -> UNAVAILABLE; both break the session, and
  // later commands on it fail with UNAVAILABLE. Messages name the command,
  // never its arguments (they may hold values or the password).
  absl::StatusOr<RedisReply> Command(absl::Span<const absl::string_view> args);

 private:
  friend class RedisPool;

  enum class Failure {
    kNone,
    kCallerDeadline,  // timed out early because of the caller's deadline
    kTimeout,         // the server did not answer within command_timeout
    kIo,              // refused, reset, closed, protocol error
  };

  RedisSession(redisContext* context, absl::Time deadline,
               absl::Duration command_timeout)
      : context_(context),
        deadline_(deadline),
        command_timeout_(command_timeout) {}

  redisContext* const context_;
  const absl::Time deadline_;
  const absl::Duration command_timeout_;
  Failure failure_ = Failure::kNone;
  std::string failure_message_;
  // kTimeout, kCallerDeadline: how long the command waited for its reply.
  absl::Duration waited_;
  int commands_sent_ = 0;
};

class RedisPool {
 public:
  // REQUIRES: `options` passed ValidateRedisCacheOptions and `address` is
  // ParseRedisUrl(options.url). Does not connect: the first Run does, so
  // that the service starts while Redis is down.
  RedisPool(RedisAddress address, RedisCacheOptions options);
  RedisPool(const RedisPool&) = delete;
  RedisPool& operator=(const RedisPool&) = delete;
  // REQUIRES: no Run in progress.
  ~RedisPool();

  // Runs `work` with exclusive use of a connection and returns what it
  // returns. Before that: DEADLINE_EXCEEDED when `deadline` has passed or
  // no connection frees up before it; UNAVAILABLE (immediately, without
  // connecting) within reconnect_backoff of a failed connect, or while
  // paused after repeated timeouts ("redis: paused after repeated
  // timeouts"); UNAVAILABLE when connecting fails. When an idle
  // connection turns out to have been closed by a server restart, `work` is
  // run once more on a fresh one, so `work` must be safe to repeat after its
  // first command failed.
  absl::Status Run(absl::Time deadline,
                   absl::FunctionRef<absl::Status(RedisSession&)> work);

  // Connection attempts so far (for stats and tests).
  int64_t connect_attempts() const {
    return connect_attempts_.load(std::memory_order_relaxed);
  }
  // "host:port/db" (or the sentinel form, see DescribeRedisAddress).
  const std::string& address() const { return description_; }
  // Where connections go now: the server of the URL, or the primary the
  // sentinels named last (empty host before the first connect).
  RedisEndpoint primary() const {
    absl::MutexLock lock(&mu_);
    return primary_;
  }
  // Paused after repeated timeouts (or probing); for metrics and tests.
  bool breaker_open() const { return breaker_.open(); }
  // Calls refused at once while paused.
  int64_t short_circuited() const { return breaker_.short_circuited(); }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const { redisFree(context); }
  };
  using Context = std::unique_ptr<redisContext, ContextDeleter>;
  struct Lease {
    Context context;
    bool reused;  // came from idle_, so the server may have closed it
    // primary_generation_ when it connected: an older one is not reused.
    int64_t generation;
  };
  enum class Transition { kNone, kWentDown, kCameUp };

  // Run once the breaker admitted the call; `end` and `waited` say how it
  // ended for the breaker (see RedisBreaker::Report).
  absl::Status RunAdmitted(absl::Time deadline,
                           absl::FunctionRef<absl::Status(RedisSession&)> work,
                           RedisCallEnd& end, absl::Duration& waited);
  // `connect_timed_out`: connecting (or AUTH, SELECT) got no answer in
  // time, which a stopped server also causes once its accept queue is full.
  absl::StatusOr<Lease> Acquire(absl::Time deadline, bool& connect_timed_out);
  // `connect_cut_short`: the attempt timed out because of the caller's
  // deadline, which says nothing about the server.
  // `generation`: the primary_generation_ of the server it connected to.
  absl::StatusOr<Context> Connect(absl::Time deadline, bool& connect_cut_short,
                                  bool& timed_out, int64_t& generation);
  // Where to connect: the URL's server, or what the sentinels say now
  // (adopted as primary_).
  absl::StatusOr<RedisEndpoint> Target(absl::Time deadline,
                                       int64_t& generation);
  // Behind Sentinel, once per sentinel_check_interval: asks where the
  // primary is, and moves there if it moved (one caller at a time).
  void RecheckPrimaryIfDue(absl::Time deadline);
  // Makes `primary` the target; when it differs from primary_, connections
  // to the old one are dropped and the move is logged. Returns the
  // generation of `primary`.
  int64_t AdoptPrimary(const RedisEndpoint& primary) ABSL_LOCKS_EXCLUDED(mu_);
  // `will_retry`: the failure looked like a server restart and Run tries
  // again on a fresh connection, so it does not count as being down.
  void Release(Context context, int64_t generation, const RedisSession& session,
               bool will_retry);
  Transition MarkDown(absl::string_view cause)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Transition MarkUp(absl::Duration& down_for)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LogTransition(Transition transition, absl::string_view cause,
                     absl::Duration down_for);
  void OnBreakerChange(const RedisBreaker::Change& change,
                       absl::string_view cause);

  const RedisAddress address_;
  const RedisCacheOptions options_;
  const std::string description_;
  // Set behind Sentinel only.
  const std::unique_ptr<const SentinelResolver> sentinels_;
  std::atomic<int64_t> connect_attempts_{0};
  RedisBreaker breaker_;

  mutable absl::Mutex mu_;
  RedisEndpoint primary_ ABSL_GUARDED_BY(mu_);
  // Counts moves of primary_; tags each connection with where it went.
  int64_t primary_generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time recheck_at_ ABSL_GUARDED_BY(mu_);
  bool rechecking_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Context> idle_ ABSL_GUARDED_BY(mu_);  // all of this generation
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
  bool down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time down_since_ ABSL_GUARDED_BY(mu_);
  absl::Time retry_at_ ABSL_GUARDED_BY(mu_);
  // One caller at a time tries to reconnect while down; the others fail
  // fast instead of piling up connect timeouts.
  bool probing_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_error_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_REDIS_POOL_H_
