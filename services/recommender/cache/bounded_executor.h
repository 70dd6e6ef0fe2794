// Runs tasks on at most `max_threads` threads of its own and refuses more
// than that at once instead of queueing them: a bulkhead. The recommender
// runs its shared computations (the model calls) here, so that a slow model
// holds a bounded number of threads and never the server's.
//
// Thread-safe. Threads are started on demand and kept for reuse.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_BOUNDED_EXECUTOR_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_BOUNDED_EXECUTOR_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace smartshop::recommender {

class BoundedExecutor {
 public:
  // REQUIRES: max_threads >= 1.
  explicit BoundedExecutor(int max_threads);
  BoundedExecutor(const BoundedExecutor&) = delete;
  BoundedExecutor& operator=(const BoundedExecutor&) = delete;
  // Waits for the accepted tasks to finish, then joins the threads.
  ~BoundedExecutor();

  // Accepts `task` when fewer than max_threads tasks are accepted and not
  // yet finished; false (and `task` is dropped unrun) otherwise.
  bool TrySchedule(absl::AnyInvocable<void() &&> task);

  // Accepted tasks not yet finished.
  int in_flight() const;
  int max_threads() const { return max_threads_; }

 private:
  void WorkerLoop();

  const int max_threads_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_BOUNDED_EXECUTOR_H_
