// InteractionStore on Postgres: batches go in as one prepared statement that
// claims each event_id in interaction_event_ids (ON CONFLICT DO NOTHING) and
// writes the claimed events into the monthly partitioned interactions table,
// making any month that is missing on demand.
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_INTERACTION_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_INTERACTION_STORE_H_

#include <string>
#include <vector>

#include "common/pg_pool.h"
#include "services/tracking/interaction_partitions.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

// A statement as the store prepares it, with the parameters of one call.
struct PgStatement {
  std::string name;
  std::string sql;
  std::vector<std::string> params;
};

class PgInteractionStore : public InteractionStore,
                           public InteractionPartitions {
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

  absl::StatusOr<int> CreateMonths(const std::vector<absl::CivilMonth>& months,
                                   absl::Time deadline) override;
  absl::StatusOr<DroppedMonths> DropMonthsBefore(absl::CivilMonth first_kept,
                                                 absl::Time deadline) override;

  // The hot statements' text, exactly as sent: tests EXPLAIN these.
  static const std::string& InsertSql();
  static const std::string& ListAfterSql();
  static const std::string& LogHorizonLagSql();
  // The List statement for `query`'s filters, with its parameters.
  static PgStatement ListStatement(const InteractionQuery& query);

 private:
  PgPool* pool_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_INTERACTION_STORE_H_
