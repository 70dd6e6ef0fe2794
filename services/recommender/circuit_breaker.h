// Stops calling a failing dependency for a while: after `failure_threshold`
// failures in a row the circuit opens and calls are refused at once for
// `cool_down`; then one probe is let through (half-open): its success
// closes the circuit, its failure opens it again. A dead model then costs
// callers no latency, and recovery is noticed within one cool-down.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CIRCUIT_BREAKER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CIRCUIT_BREAKER_H_

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace smartshop::recommender {

struct CircuitBreakerOptions {
  int failure_threshold = 5;
  absl::Duration cool_down = absl::Seconds(30);
};

class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(CircuitBreakerOptions options = {},
                          const Clock& clock = Clock::Real())
      : options_(options), clock_(clock) {}

  // True if a call may go ahead now. In the half-open state only one caller
  // gets true until it reports back.
  bool Allow() {
    absl::MutexLock lock(&mu_);
    switch (state_) {
      case State::kClosed:
        return true;
      case State::kOpen:
        if (clock_.Now() < open_until_) return false;
        state_ = State::kHalfOpen;
        return true;  // the probe
      case State::kHalfOpen:
        return false;  // a probe is out
    }
    return false;
  }

  // The outcome of a call that Allow() let through.
  void Record(bool success) {
    absl::MutexLock lock(&mu_);
    if (success) {
      state_ = State::kClosed;
      failures_ = 0;
      return;
    }
    ++failures_;
    if (state_ == State::kHalfOpen || failures_ >= options_.failure_threshold) {
      state_ = State::kOpen;
      open_until_ = clock_.Now() + options_.cool_down;
    }
  }

  // For a call that Allow() let through but that says nothing about the
  // dependency (the caller's own deadline was too short): a probe's slot is
  // given back, so that the next caller probes.
  void Abandon() {
    absl::MutexLock lock(&mu_);
    if (state_ == State::kHalfOpen) {
      state_ = State::kOpen;
      open_until_ = clock_.Now();
    }
  }

  State state() const {
    absl::MutexLock lock(&mu_);
    return state_;
  }
  // When an open circuit lets the next probe through.
  absl::Time open_until() const {
    absl::MutexLock lock(&mu_);
    return open_until_;
  }

 private:
  const CircuitBreakerOptions options_;
  const Clock& clock_;
  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kClosed;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time open_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CIRCUIT_BREAKER_H_
