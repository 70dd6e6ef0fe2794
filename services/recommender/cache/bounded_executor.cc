#include "services/recommender/cache/bounded_executor.h"

#include <utility>

namespace smartshop::recommender {

BoundedExecutor::BoundedExecutor(int max_threads) : max_threads_(max_threads) {}

BoundedExecutor::~BoundedExecutor() {
  std::vector<std::thread> threads;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    threads.swap(threads_);
  }
  for (std::thread& thread : threads) thread.join();
}

bool BoundedExecutor::TrySchedule(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return false;
  const int accepted = running_ + static_cast<int>(queue_.size());
  if (accepted >= max_threads_) return false;
  queue_.push_back(std::move(task));
  // A thread per accepted task at most, so none ever waits in the queue
  // for a busy one.
  if (static_cast<int>(threads_.size()) < accepted + 1) {
    threads_.emplace_back([this] { WorkerLoop(); });
  }
  return true;
}

int BoundedExecutor::in_flight() const {
  absl::MutexLock lock(&mu_);
  return running_ + static_cast<int>(queue_.size());
}

void BoundedExecutor::WorkerLoop() {
  while (true) {
    absl::AnyInvocable<void() &&> task;
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&has_work));
      if (queue_.empty()) return;  // stopping, nothing left
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    std::move(task)();
    absl::MutexLock lock(&mu_);
    --running_;
  }
}

}  // namespace smartshop::recommender
