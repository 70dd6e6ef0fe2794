// One computation shared by every caller who wants the same thing at once,
// run apart from all of them. Keeps a miss on a hot key (the shared
// anonymous answer, an entry that just expired) from becoming a burst of
// identical model calls, and keeps the first caller's deadline from bounding
// what the others get: the computation runs on its own budget (on a
// BoundedExecutor), while each caller waits only as long as its own
// deadline allows and then takes what there is. A computation may publish
// an interim result first (the builtin ranking, before the model is asked)
// for callers who cannot wait for the final one.
//
// Nothing is remembered once a computation finishes: the next Join for the
// key starts a new one (caching is the caller's business).
//
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SHARED_FLIGHT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SHARED_FLIGHT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/recommender/cache/bounded_executor.h"

namespace smartshop::recommender {

// T must be copyable: every caller gets its own copy.
template <typename T>
class SharedFlight {
 public:
  // What a caller saw by its time: the final result, else the interim one,
  // else nothing.
  struct Seen {
    std::optional<T> value;
    bool final = false;
  };

  // For callers who cannot wait for Finish.
  void PublishInterim(T value) {
    absl::MutexLock lock(&mu_);
    interim_ = std::move(value);
  }
  void Finish(T value) {
    absl::MutexLock lock(&mu_);
    final_ = std::move(value);
  }
  // Waits until Finish or `until`, whichever is first.
  Seen Await(absl::Time until) const {
    absl::MutexLock lock(&mu_);
    auto finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return final_.has_value();
    };
    mu_.AwaitWithDeadline(absl::Condition(&finished), until);
    if (final_.has_value()) return {final_, true};
    return {interim_, false};
  }

  // The result is out of date before it is done (the key was invalidated
  // meanwhile): the computation should not keep it.
  void MarkStale() {
    absl::MutexLock lock(&mu_);
    stale_ = true;
  }
  bool stale() const {
    absl::MutexLock lock(&mu_);
    return stale_;
  }

 private:
  mutable absl::Mutex mu_;
  std::optional<T> interim_ ABSL_GUARDED_BY(mu_);
  std::optional<T> final_ ABSL_GUARDED_BY(mu_);
  bool stale_ ABSL_GUARDED_BY(mu_) = false;
};

template <typename T>
class FlightGroup {
 public:
  using Flight = SharedFlight<T>;
  // Computes the final result; runs on the executor. May publish an
  // interim result on the flight it is given.
  using Work = absl::AnyInvocable<T(Flight&) &&>;

  // `executor` is not owned and must outlive this.
  explicit FlightGroup(BoundedExecutor* executor) : executor_(executor) {}

  struct Joined {
    // Null when a new computation was needed and the executor had no room.
    std::shared_ptr<Flight> flight;
    bool started = false;  // this caller started it
  };

  // The computation in flight for `key`, or a new one running `work` (made
  // only when needed) on the executor. A stale computation is not joined:
  // a new one starts beside it.
  template <typename MakeWork>
  Joined Join(const std::string& key, MakeWork make_work) {
    absl::MutexLock lock(&mu_);
    if (auto it = flights_.find(key);
        it != flights_.end() && !it->second->stale()) {
      return {it->second, false};
    }
    auto flight = std::make_shared<Flight>();
    Work work = make_work();
    const bool accepted = executor_->TrySchedule(
        [this, key, flight, work = std::move(work)]() mutable {
          T result = std::move(work)(*flight);
          // Forgotten before it is published: a caller who comes after the
          // result starts anew rather than taking a result already old.
          Forget(key, flight.get());
          flight->Finish(std::move(result));
        });
    if (!accepted) return {nullptr, false};
    flights_.insert_or_assign(key, flight);
    return {flight, true};
  }

  // Marks the computation in flight for `key` (if any) stale. O(1).
  void MarkStale(const std::string& key) {
    absl::MutexLock lock(&mu_);
    if (auto it = flights_.find(key); it != flights_.end()) {
      it->second->MarkStale();
    }
  }
  // Marks every computation in flight stale (at most the executor's size).
  void MarkAllStale() {
    absl::MutexLock lock(&mu_);
    for (auto& [key, flight] : flights_) flight->MarkStale();
  }

  // Computations in flight.
  int size() const {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(flights_.size());
  }

 private:
  void Forget(const std::string& key, const Flight* flight) {
    absl::MutexLock lock(&mu_);
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second.get() == flight) flights_.erase(it);
  }

  BoundedExecutor* const executor_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SHARED_FLIGHT_H_
