// A Clock (common/clock.h) that stands still until a test sets or moves it.
#ifndef SMARTSHOP_TESTS_TESTING_SIMULATED_CLOCK_H_
#define SMARTSHOP_TESTS_TESTING_SIMULATED_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace smartshop {

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void SetTime(absl::Time now) {
    absl::MutexLock lock(&mu_);
    now_ = now;
  }
  void AdvanceBy(absl::Duration step) {
    absl::MutexLock lock(&mu_);
    now_ += step;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop

#endif  // SMARTSHOP_TESTS_TESTING_SIMULATED_CLOCK_H_
