#include "services/tracking/group_committer.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "services/tracking/isolated_insert.h"

namespace smartshop::tracking {

GroupCommitter::GroupCommitter(InteractionStore* store,
                               GroupCommitterOptions options)
    : store_(store), options_(std::move(options)) {
  for (int i = 0; i < options_.writers; ++i)
    writers_.emplace_back([this] { WriterLoop(); });
}

size_t GroupCommitter::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size() + committing_;
}

bool GroupCommitter::HasRoom() {
  if (queue_.size() + committing_ < static_cast<size_t>(options_.max_pending)) {
    return true;
  }
  if (options_.on_refused) options_.on_refused();
  return false;
}

GroupCommitter::~GroupCommitter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& writer : writers_) writer.join();
}

absl::StatusOr<bool> GroupCommitter::Submit(smartshop::v1::Interaction event,
                                            absl::Time deadline) {
  auto pending = std::make_shared<Pending>();
  pending->event = std::move(event);
  pending->deadline = deadline;
  absl::MutexLock lock(&mu_);
  if (!HasRoom()) return absl::ResourceExhaustedError(kTooManyPendingMessage);
  queue_.push_back(pending);
  if (!mu_.AwaitWithDeadline(absl::Condition(&pending->done), deadline)) {
    return absl::DeadlineExceededError(
        "deadline passed before the event was committed");
  }
  if (!pending->status.ok()) return pending->status;
  return pending->stored;
}

void GroupCommitter::SubmitAsync(smartshop::v1::Interaction event,
                                 absl::Time deadline, Done done) {
  auto pending = std::make_shared<Pending>();
  pending->event = std::move(event);
  pending->deadline = deadline;
  pending->done_callback = std::move(done);
  {
    absl::MutexLock lock(&mu_);
    if (HasRoom()) {
      queue_.push_back(std::move(pending));
      return;
    }
  }
  // Outside the lock: it finishes a gRPC call.
  pending->done_callback(absl::ResourceExhaustedError(kTooManyPendingMessage));
}

void GroupCommitter::RunCallbacks(
    const std::vector<std::shared_ptr<Pending>>& done) {
  for (const auto& p : done) {
    if (!p->done_callback) continue;
    if (p->status.ok()) {
      p->done_callback(p->stored);
    } else {
      p->done_callback(p->status);
    }
  }
}

void GroupCommitter::WriterLoop() {
  while (true) {
    std::vector<std::shared_ptr<Pending>> group;
    std::vector<std::shared_ptr<Pending>> expired;
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&has_work));
      if (queue_.empty()) return;  // stopping, nothing left
      const absl::Time now = absl::Now();
      while (!queue_.empty() &&
             static_cast<int>(group.size()) < options_.max_group) {
        std::shared_ptr<Pending> next = std::move(queue_.front());
        queue_.pop_front();
        if (next->deadline <= now) {
          // Its caller has given up; not writing it keeps "not acknowledged"
          // and "not stored" the same thing where we can.
          next->status = absl::DeadlineExceededError("expired in queue");
          next->done = true;
          expired.push_back(std::move(next));
          continue;
        }
        group.push_back(std::move(next));
      }
      committing_ += group.size();
    }
    RunCallbacks(expired);
    if (!group.empty()) CommitGroup(std::move(group));
  }
}

void GroupCommitter::CommitGroup(std::vector<std::shared_ptr<Pending>> group) {
  // Two callers may send the same event_id at once: write it once, and the
  // later caller learns it is a duplicate.
  absl::flat_hash_map<std::string, size_t> first_with_id;
  std::vector<smartshop::v1::Interaction> events;
  std::vector<size_t> slot(group.size());
  absl::Time deadline = absl::InfinitePast();
  for (size_t i = 0; i < group.size(); ++i) {
    auto [it, inserted] =
        first_with_id.emplace(group[i]->event.event_id(), events.size());
    // Moved: the callers need only their answer from here on.
    if (inserted) events.push_back(std::move(group[i]->event));
    slot[i] = it->second;
    deadline = std::max(deadline, group[i]->deadline);
  }
  if (options_.on_group) options_.on_group(events.size());
  // Callers share a transaction, not a fate: an event the database refuses
  // fails only its own callers.
  absl::StatusOr<std::vector<InsertOutcome>> outcomes =
      InsertIsolatingRejects(*store_, events, deadline);
  {
    absl::MutexLock lock(&mu_);
    std::vector<bool> claimed(events.size(), false);
    for (size_t i = 0; i < group.size(); ++i) {
      Pending& p = *group[i];
      if (!outcomes.ok()) {
        p.status = outcomes.status();
      } else if (const InsertOutcome& outcome = (*outcomes)[slot[i]];
                 !outcome.status.ok()) {
        p.status = outcome.status;
      } else {
        p.stored = outcome.stored && !claimed[slot[i]];
        claimed[slot[i]] = true;
      }
      p.done = true;
    }
    committing_ -= group.size();
  }
  RunCallbacks(group);  // outside the lock: they finish gRPC calls
}

}  // namespace smartshop::tracking
