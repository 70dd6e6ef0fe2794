#include "services/recommender/cache/redis_breaker.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace smartshop::recommender {

RedisBreaker::RedisBreaker(RedisBreakerOptions options, const Clock& clock)
    : options_(options),
      clock_(clock),
      breaker_(
          {.failure_threshold = options.timeouts, .cool_down = options.backoff},
          clock_) {}

absl::Status RedisBreaker::Admit() {
  absl::MutexLock lock(&mu_);
  if (breaker_.Allow()) return absl::OkStatus();
  ++refused_;
  const absl::Duration wait = breaker_.open_until() - clock_.Now();
  return absl::UnavailableError(absl::StrCat(
      "redis: paused after repeated timeouts (",
      wait > absl::ZeroDuration()
          ? absl::StrCat("next probe in ", absl::FormatDuration(absl::Trunc(
                                               wait, absl::Milliseconds(1))))
          : std::string("a probe is out"),
      ")"));
}

RedisBreaker::Change RedisBreaker::Report(RedisCallEnd end,
                                          absl::Duration waited) {
  absl::MutexLock lock(&mu_);
  const CircuitBreaker::State before = breaker_.state();
  const bool timeout =
      end == RedisCallEnd::kTimedOut ||
      (end == RedisCallEnd::kCutShort && waited >= options_.min_wait);
  if (end == RedisCallEnd::kReplied) {
    breaker_.Record(true);
    streak_ = 0;
  } else if (timeout) {
    breaker_.Record(false);
    ++streak_;
  } else {
    // Says nothing about the server: neither counts nor resets, and a
    // probe's slot goes to the next caller.
    breaker_.Abandon();
  }
  const CircuitBreaker::State after = breaker_.state();
  Change change;
  if (before == CircuitBreaker::State::kClosed &&
      after == CircuitBreaker::State::kOpen) {
    opened_at_ = clock_.Now();
    refused_at_open_ = refused_;
    change.kind = Change::kOpened;
    change.timeouts = streak_;
  } else if (before != CircuitBreaker::State::kClosed &&
             after == CircuitBreaker::State::kClosed) {
    change.kind = Change::kClosed;
    change.paused_for = clock_.Now() - opened_at_;
    change.refused = refused_ - refused_at_open_;
  }
  return change;
}

bool RedisBreaker::open() const {
  absl::MutexLock lock(&mu_);
  return breaker_.state() != CircuitBreaker::State::kClosed;
}

int64_t RedisBreaker::short_circuited() const {
  absl::MutexLock lock(&mu_);
  return refused_;
}

}  // namespace smartshop::recommender
