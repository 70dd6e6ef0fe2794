// Group commit for unary Track calls: concurrent single events are gathered
// into one multi-row transaction, so that 64 callers cost a few commits
// instead of 64. Each caller still gets its answer only after the commit.
#ifndef SMARTSHOP_SERVICES_TRACKING_GROUP_COMMITTER_H_
#define SMARTSHOP_SERVICES_TRACKING_GROUP_COMMITTER_H_

#include <deque>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

struct GroupCommitterOptions {
  // Threads committing groups.
  int writers = 4;
  // Most events per group (one transaction).
  int max_group = 1000;
  // Most events submitted and not yet answered (queued or being committed).
  // Beyond, submissions are refused at once with RESOURCE_EXHAUSTED: while
  // the database stalls, memory stays bounded instead of growing with
  // arrival rate × deadline.
  int max_pending = 10'000;
  // Hear each group's size and each refusal, for metrics; may be empty.
  std::function<void(size_t)> on_group{};
  std::function<void()> on_refused{};
};

// What a refused submission is told.
inline constexpr char kTooManyPendingMessage[] =
    "tracking: too many events waiting to be committed";

class GroupCommitter {
 public:
  // `store` is not owned and must outlive this.
  GroupCommitter(InteractionStore* store, GroupCommitterOptions options);
  // Waits for the queued events to be written, then stops the writers.
  ~GroupCommitter();

  // REQUIRES: `event` passed FindViolation and Normalize.
  // Blocks until the event is committed (true = newly stored, false = its
  // event_id was already stored) or `deadline` passes (DEADLINE_EXCEEDED;
  // the event may still be committed later, so a retry is the way to know).
  // RESOURCE_EXHAUSTED (kTooManyPendingMessage), without waiting, when
  // max_pending events are pending already.
  absl::StatusOr<bool> Submit(smartshop::v1::Interaction event,
                              absl::Time deadline);

  // As Submit, without blocking: `done` runs once, on a writer thread, when
  // the event is committed, its commit failed, or it expired in the queue
  // (DEADLINE_EXCEEDED). For callback-API handlers, which must not block.
  using Done = std::function<void(absl::StatusOr<bool>)>;
  void SubmitAsync(smartshop::v1::Interaction event, absl::Time deadline,
                   Done done);

  // Events submitted and not yet answered: at most max_pending.
  size_t pending() const;

 private:
  struct Pending {
    smartshop::v1::Interaction event;
    absl::Time deadline;
    bool done = false;
    absl::Status status;
    bool stored = false;
    Done done_callback;  // set by SubmitAsync
  };

  void WriterLoop();
  void CommitGroup(std::vector<std::shared_ptr<Pending>> group);
  // Runs the callbacks of finished asynchronous submissions.
  static void RunCallbacks(const std::vector<std::shared_ptr<Pending>>& done);

  // Whether one more event may be queued; counts a refusal when not.
  bool HasRoom() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  InteractionStore* const store_;
  const GroupCommitterOptions options_;
  mutable absl::Mutex mu_;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  // Events taken from queue_ by writers and not yet answered.
  size_t committing_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> writers_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_GROUP_COMMITTER_H_
