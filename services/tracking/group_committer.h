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

class GroupCommitter {
 public:
  // `store` is not owned and must outlive this. `writers` threads commit
  // groups of at most `max_group` events each; `on_group` (may be empty)
  // hears each group's size, for metrics.
  GroupCommitter(InteractionStore* store, int writers, int max_group,
                 std::function<void(size_t)> on_group = {});
  // Waits for the queued events to be written, then stops the writers.
  ~GroupCommitter();

  // REQUIRES: `event` passed FindViolation and Normalize.
  // Blocks until the event is committed (true = newly stored, false = its
  // event_id was already stored) or `deadline` passes (DEADLINE_EXCEEDED;
  // the event may still be committed later, so a retry is the way to know).
  absl::StatusOr<bool> Submit(const smartshop::v1::Interaction& event,
                              absl::Time deadline);

  // As Submit, without blocking: `done` runs once, on a writer thread, when
  // the event is committed, its commit failed, or it expired in the queue
  // (DEADLINE_EXCEEDED). For callback-API handlers, which must not block.
  using Done = std::function<void(absl::StatusOr<bool>)>;
  void SubmitAsync(const smartshop::v1::Interaction& event, absl::Time deadline,
                   Done done);

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

  InteractionStore* const store_;
  const int max_group_;
  const std::function<void(size_t)> on_group_;
  absl::Mutex mu_;
  std::deque<std::shared_ptr<Pending>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> writers_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_GROUP_COMMITTER_H_
