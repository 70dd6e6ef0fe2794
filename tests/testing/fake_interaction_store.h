// In-memory InteractionStore for unit tests: idempotent by event_id like the
// real one, records each Insert call, and can be told to fail.
#ifndef SMARTSHOP_TESTS_TESTING_FAKE_INTERACTION_STORE_H_
#define SMARTSHOP_TESTS_TESTING_FAKE_INTERACTION_STORE_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::testing {

class FakeInteractionStore : public tracking::InteractionStore {
 public:
  absl::StatusOr<std::vector<bool>> Insert(
      absl::Span<const smartshop::v1::Interaction> events,
      absl::Time deadline) override;
  absl::StatusOr<tracking::InteractionPage> List(
      const tracking::InteractionQuery& query, absl::Time deadline) override;
  absl::StatusOr<std::vector<tracking::LogEntry>> ListAfter(
      tracking::LogPosition after, int limit, absl::Time deadline) override;
  // Zero: the fake's log has no horizon.
  absl::StatusOr<absl::Duration> LogHorizonLag(absl::Time deadline) override;
  absl::StatusOr<int64_t> DeleteUser(const std::string& user_id,
                                     absl::Time deadline) override;
  absl::StatusOr<int64_t> AnonymizeBefore(absl::Time cutoff, int limit,
                                          absl::Time deadline) override;

  // Every later call fails with `status` until cleared with OkStatus().
  void FailWith(absl::Status status);
  // Each Insert blocks this long first (to let concurrent callers pile up).
  void SetInsertDelay(absl::Duration delay);
  // Every later Insert holding an event of `product_id` fails whole with
  // INVALID_ARGUMENT and stores nothing, as Postgres does for a row it
  // refuses (a "poison" event that passed validation).
  void RejectProduct(int64_t product_id);
  // Each Insert blocks until Unblock() (while blocked: a stalled database).
  void Block();
  void Unblock();
  // Insert calls that have started, blocked or not.
  int inserts_started() const;

  std::vector<smartshop::v1::Interaction> stored() const;
  // Sizes of the Insert calls made so far, in order.
  std::vector<size_t> insert_sizes() const;

 private:
  mutable absl::Mutex mu_;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  absl::Duration delay_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<int64_t> rejected_products_ ABSL_GUARDED_BY(mu_);
  bool blocked_ ABSL_GUARDED_BY(mu_) = false;
  int inserts_started_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_set<std::string> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<smartshop::v1::Interaction> stored_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> insert_sizes_ ABSL_GUARDED_BY(mu_);
  int64_t last_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  // One "transaction" per Insert call; txid of each stored event.
  int64_t last_txid_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<int64_t> txids_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_FAKE_INTERACTION_STORE_H_
