#include "tests/fakes/fake_interaction_store.h"

#include "absl/time/clock.h"

namespace smartshop::testing {

absl::StatusOr<std::vector<bool>> FakeInteractionStore::Insert(
    absl::Span<const smartshop::v1::Interaction> events, absl::Time) {
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    delay = delay_;
  }
  absl::SleepFor(delay);
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  insert_sizes_.push_back(events.size());
  std::vector<bool> stored;
  for (const auto& event : events) {
    const bool fresh = ids_.insert(event.event_id()).second;
    if (fresh) {
      stored_.push_back(event);
      stored_.back().set_sequence(static_cast<int64_t>(stored_.size()));
    }
    stored.push_back(fresh);
  }
  return stored;
}

absl::StatusOr<tracking::InteractionPage> FakeInteractionStore::List(
    const tracking::InteractionQuery&, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return absl::UnimplementedError("FakeInteractionStore::List");
}

absl::StatusOr<std::vector<smartshop::v1::Interaction>>
FakeInteractionStore::ListAfter(int64_t after_sequence, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  std::vector<smartshop::v1::Interaction> events;
  for (const auto& event : stored_) {
    if (event.sequence() <= after_sequence) continue;
    if (static_cast<int>(events.size()) == limit) break;
    events.push_back(event);
  }
  return events;
}

absl::StatusOr<int64_t> FakeInteractionStore::LastSequence(absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return static_cast<int64_t>(stored_.size());
}

void FakeInteractionStore::FailWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeInteractionStore::SetInsertDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  delay_ = delay;
}

std::vector<smartshop::v1::Interaction> FakeInteractionStore::stored() const {
  absl::MutexLock lock(&mu_);
  return stored_;
}

std::vector<size_t> FakeInteractionStore::insert_sizes() const {
  absl::MutexLock lock(&mu_);
  return insert_sizes_;
}

}  // namespace smartshop::testing
