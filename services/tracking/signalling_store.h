// An InteractionStore that rings a CommitSignal after each commit that stored
// something, so that subscriptions learn of local writes at once.
#ifndef SMARTSHOP_SERVICES_TRACKING_SIGNALLING_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_SIGNALLING_STORE_H_

#include <algorithm>
#include <vector>

#include "services/tracking/commit_signal.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

class SignallingStore : public InteractionStore {
 public:
  // Neither is owned; both must outlive this.
  SignallingStore(InteractionStore* store, CommitSignal* signal)
      : store_(store), signal_(signal) {}

  absl::StatusOr<std::vector<bool>> Insert(
      absl::Span<const smartshop::v1::Interaction> events,
      absl::Time deadline) override {
    absl::StatusOr<std::vector<bool>> stored = store_->Insert(events, deadline);
    if (stored.ok() &&
        std::find(stored->begin(), stored->end(), true) != stored->end()) {
      signal_->Notify();
    }
    return stored;
  }
  absl::StatusOr<InteractionPage> List(const InteractionQuery& query,
                                       absl::Time deadline) override {
    return store_->List(query, deadline);
  }
  absl::StatusOr<std::vector<LogEntry>> ListAfter(
      LogPosition after, int limit, absl::Time deadline) override {
    return store_->ListAfter(after, limit, deadline);
  }
  absl::StatusOr<absl::Duration> LogHorizonLag(absl::Time deadline) override {
    return store_->LogHorizonLag(deadline);
  }
  absl::StatusOr<int64_t> DeleteUser(const std::string& user_id,
                                     absl::Time deadline) override {
    return store_->DeleteUser(user_id, deadline);
  }
  absl::StatusOr<int64_t> AnonymizeBefore(absl::Time cutoff, int limit,
                                          absl::Time deadline) override {
    return store_->AnonymizeBefore(cutoff, limit, deadline);
  }

 private:
  InteractionStore* const store_;
  CommitSignal* const signal_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_SIGNALLING_STORE_H_
