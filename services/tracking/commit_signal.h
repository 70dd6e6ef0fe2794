// Wakes Subscribe streams as soon as this process commits events, instead of
// waiting for their next poll of the database.
#ifndef SMARTSHOP_SERVICES_TRACKING_COMMIT_SIGNAL_H_
#define SMARTSHOP_SERVICES_TRACKING_COMMIT_SIGNAL_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace smartshop::tracking {

class CommitSignal {
 public:
  // Counts one more commit and wakes every waiter.
  void Notify() {
    absl::MutexLock lock(&mu_);
    ++generation_;
  }

  // The number of commits notified so far.
  uint64_t generation() const {
    absl::MutexLock lock(&mu_);
    return generation_;
  }

  // Blocks until generation() != `seen` or `deadline`; true if it changed.
  bool WaitForChange(uint64_t seen, absl::Time deadline) const {
    absl::MutexLock lock(&mu_);
    auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return generation_ != seen;
    };
    return mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_COMMIT_SIGNAL_H_
