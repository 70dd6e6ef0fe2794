// InteractionStore on Postgres: batches go in as one prepared
// INSERT ... SELECT FROM unnest(arrays) ON CONFLICT DO NOTHING.
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_INTERACTION_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_INTERACTION_STORE_H_

#include "common/pg_pool.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

class PgInteractionStore : public InteractionStore {
 public:
  // `pool` is not owned and must outlive the store.
  explicit PgInteractionStore(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<std::vector<bool>> Insert(
      absl::Span<const smartshop::v1::Interaction> events,
      absl::Time deadline) override;
  absl::StatusOr<InteractionPage> List(const InteractionQuery& query,
                                       absl::Time deadline) override;
  absl::StatusOr<std::vector<LogEntry>> ListAfter(LogPosition after, int limit,
                                                  absl::Time deadline) override;
  absl::StatusOr<absl::Duration> LogHorizonLag(absl::Time deadline) override;
  absl::StatusOr<int64_t> DeleteUser(const std::string& user_id,
                                     absl::Time deadline) override;
  absl::StatusOr<int64_t> AnonymizeBefore(absl::Time cutoff, int limit,
                                          absl::Time deadline) override;

 private:
  PgPool* pool_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_INTERACTION_STORE_H_
