// InsightsStore on Postgres (migration 0005): served answers in one
// multi-row insert (ON CONFLICT DO NOTHING on the primary key), impressions
// claiming their event_id in impression_event_ids first, as interactions do
// in interaction_event_ids; both tables partitioned by month, each month
// made ahead by the retention job or on demand by the insert that needs it.
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_STORE_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_STORE_H_

#include <string>
#include <vector>

#include "common/pg_pool.h"
#include "services/tracking/insights_store.h"
#include "services/tracking/interaction_partitions.h"

namespace smartshop::tracking {

// Its InteractionPartitions side keeps the months of both tables,
// served_recommendations and recommendation_impressions: CreateMonths makes
// each month for both, DropMonthsBefore drops both tables' old months
// (DroppedMonths counts partitions and rows of both) and forgets the
// dropped impressions' event ids.
class PgInsightsStore : public InsightsStore, public InteractionPartitions {
 public:
  // `pool` is not owned and must outlive the store.
  explicit PgInsightsStore(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<int64_t> RecordServed(
      absl::Span<const smartshop::v1::ServedRecommendation> served,
      absl::Time deadline) override;
  absl::StatusOr<std::vector<ImpressionOutcome>> InsertImpressions(
      absl::Span<const smartshop::v1::Impression> impressions,
      absl::Time deadline) override;
  absl::StatusOr<InsightsErasure> DeleteUser(const std::string& user_id,
                                             absl::Time deadline) override;

  absl::StatusOr<int> CreateMonths(const std::vector<absl::CivilMonth>& months,
                                   absl::Time deadline) override;
  absl::StatusOr<DroppedMonths> DropMonthsBefore(absl::CivilMonth first_kept,
                                                 absl::Time deadline) override;

  // The statements' text, exactly as sent: tests EXPLAIN these.
  static const std::string& RecordServedSql();
  static const std::string& InsertImpressionsSql();
  // $1 = user_id.
  static const std::string& DeleteServedSql();
  static const std::string& DeleteImpressionsSql();

 private:
  PgPool* pool_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_STORE_H_
