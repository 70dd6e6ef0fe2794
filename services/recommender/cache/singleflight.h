// Collapses concurrent computations of the same thing into one: while a
// computation for a key is running, further callers for that key wait for
// it and share its result instead of starting their own. Keeps a cache miss
// on a hot key (the shared anonymous answer, an entry that just expired)
// from turning into a burst of identical model calls.
//
// Nothing is remembered once a computation finishes: the next call for the
// key computes again (caching is the caller's business).
//
// Thread-safe. Does not use exceptions; if `fn` throws anyway, the waiters
// get INTERNAL instead of hanging and the exception reaches the leader.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SINGLEFLIGHT_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SINGLEFLIGHT_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/cleanup/cleanup.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace smartshop::recommender {
namespace singleflight_internal {

// What the callers of one key share; the result lives in the subclass.
struct CallBase {
  virtual ~CallBase() = default;
  absl::Notification done;
  int callers = 0;  // guarded by Group::mu_
};

// The type-independent part: which keys are in flight.
class Group {
 public:
  struct Joined {
    std::shared_ptr<CallBase> call;
    bool leader;  // this caller runs the computation
  };

  // The call in flight for `key`, or a new one made by `make` (then the
  // caller is its leader).
  Joined Join(const std::string& key,
              absl::FunctionRef<std::shared_ptr<CallBase>()> make);
  // Removes `call` from the keys in flight, so later callers start anew.
  void Forget(const std::string& key, const CallBase* call);
  int Callers(const std::string& key) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<CallBase>> calls_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace singleflight_internal

// T must be copyable: every caller gets its own copy of the result.
template <typename T>
class Singleflight {
 public:
  // Runs `fn` unless a computation for `key` is already running, in which
  // case it waits for that one and returns a copy of its result. A waiter
  // whose `deadline` passes first gets DEADLINE_EXCEEDED; the leader ignores
  // `deadline` (it runs `fn` to the end, and `fn` should honour its own
  // deadline), so one impatient caller never cancels the others' result.
  absl::StatusOr<T> Do(const std::string& key, absl::Time deadline,
                       absl::FunctionRef<absl::StatusOr<T>()> fn);

  absl::StatusOr<T> Do(const std::string& key,
                       absl::FunctionRef<absl::StatusOr<T>()> fn) {
    return Do(key, absl::InfiniteFuture(), fn);
  }

  // Callers (leader included) sharing the computation in flight for `key`;
  // 0 when there is none. For tests and metrics.
  int Callers(const std::string& key) const { return group_.Callers(key); }

 private:
  struct Call : singleflight_internal::CallBase {
    // What waiters see if the leader's fn never returns normally.
    absl::StatusOr<T> result = absl::InternalError(
        "singleflight: the computation for this key ended without a result");
  };

  singleflight_internal::Group group_;
};

template <typename T>
absl::StatusOr<T> Singleflight<T>::Do(
    const std::string& key, absl::Time deadline,
    absl::FunctionRef<absl::StatusOr<T>()> fn) {
  singleflight_internal::Group::Joined joined =
      group_.Join(key, [] { return std::make_shared<Call>(); });
  Call& call = static_cast<Call&>(*joined.call);
  if (!joined.leader) {
    if (!call.done.WaitForNotificationWithDeadline(deadline)) {
      return absl::DeadlineExceededError(
          "deadline passed while waiting for the same computation started "
          "by another caller");
    }
    return call.result;
  }
  // Forget before notifying: a caller arriving in between starts a fresh
  // computation rather than taking a result that is already done.
  absl::Cleanup publish = [&] {
    group_.Forget(key, &call);
    call.done.Notify();
  };
  call.result = fn();
  return call.result;
}

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CACHE_SINGLEFLIGHT_H_
