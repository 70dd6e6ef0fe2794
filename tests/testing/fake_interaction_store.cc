#include "tests/testing/fake_interaction_store.h"

#include "absl/time/clock.h"

namespace smartshop::testing {

absl::StatusOr<std::vector<bool>> FakeInteractionStore::Insert(
    absl::Span<const smartshop::v1::Interaction> events, absl::Time) {
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    ++inserts_started_;
    delay = delay_;
  }
  absl::SleepFor(delay);
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](bool* blocked) { return !*blocked; }, &blocked_));
  if (!failure_.ok()) return failure_;
  insert_sizes_.push_back(events.size());
  for (const auto& event : events) {
    if (rejected_products_.contains(event.product_id())) {
      return absl::InvalidArgumentError(
          "postgres 23514: ERROR:  new row for relation \"interactions\" "
          "violates check constraint");
    }
  }
  ++last_txid_;
  std::vector<bool> stored;
  for (const auto& event : events) {
    const bool fresh = ids_.insert(event.event_id()).second;
    if (fresh) {
      stored_.push_back(event);
      stored_.back().set_sequence(++last_sequence_);
      txids_.push_back(last_txid_);
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

absl::StatusOr<std::vector<tracking::LogEntry>> FakeInteractionStore::ListAfter(
    tracking::LogPosition after, int limit, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  std::vector<tracking::LogEntry> entries;
  for (size_t i = 0; i < stored_.size(); ++i) {
    const tracking::LogPosition position{txids_[i], stored_[i].sequence()};
    if (position <= after) continue;
    if (static_cast<int>(entries.size()) == limit) break;
    entries.push_back({position, stored_[i]});
  }
  return entries;
}

absl::StatusOr<absl::Duration> FakeInteractionStore::LogHorizonLag(absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  return absl::ZeroDuration();
}

absl::StatusOr<int64_t> FakeInteractionStore::DeleteUser(
    const std::string& user_id, absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  const size_t before = stored_.size();
  size_t kept = 0;
  for (size_t i = 0; i < stored_.size(); ++i) {
    if (stored_[i].user_id() == user_id) continue;
    stored_[kept] = std::move(stored_[i]);
    txids_[kept] = txids_[i];
    ++kept;
  }
  stored_.resize(kept);
  txids_.resize(kept);
  return static_cast<int64_t>(before - kept);
}

absl::StatusOr<int64_t> FakeInteractionStore::AnonymizeBefore(absl::Time cutoff,
                                                              int limit,
                                                              absl::Time) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  int64_t cleared = 0;
  for (auto& e : stored_) {
    if (cleared == limit) break;
    if (absl::FromUnixSeconds(e.timestamp().seconds()) >= cutoff) continue;
    if (e.ip_address().empty() && e.user_agent().empty()) continue;
    e.clear_ip_address();
    e.clear_user_agent();
    ++cleared;
  }
  return cleared;
}

void FakeInteractionStore::FailWith(absl::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

void FakeInteractionStore::SetInsertDelay(absl::Duration delay) {
  absl::MutexLock lock(&mu_);
  delay_ = delay;
}

void FakeInteractionStore::RejectProduct(int64_t product_id) {
  absl::MutexLock lock(&mu_);
  rejected_products_.insert(product_id);
}

void FakeInteractionStore::Block() {
  absl::MutexLock lock(&mu_);
  blocked_ = true;
}

void FakeInteractionStore::Unblock() {
  absl::MutexLock lock(&mu_);
  blocked_ = false;
}

int FakeInteractionStore::inserts_started() const {
  absl::MutexLock lock(&mu_);
  return inserts_started_;
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
