// InsightsReader on Postgres: one statement per request joins the served
// answers of the range with their impressions, the interactions that carry
// their ids, and the conversions that follow a click, by the rules of
// docs/attribution.md.
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_READER_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_READER_H_

#include <string>

#include "common/pg_pool.h"
#include "services/tracking/insights_reader.h"
#include "services/tracking/pg_interaction_store.h"

namespace smartshop::tracking {

class PgInsightsReader : public InsightsReader {
 public:
  // `pool` is not owned and must outlive the reader.
  explicit PgInsightsReader(PgPool* pool) : pool_(pool) {}

  absl::StatusOr<smartshop::v1::GetInsightsResponse> Read(
      const InsightsQuery& query, absl::Time deadline) override;

  // The statement for `query` (one per grouping) with its parameters, exactly
  // as sent: tests EXPLAIN it.
  static PgStatement Statement(const InsightsQuery& query);
  // The settings the statement runs under (SET LOCAL, inside its
  // transaction).
  static const std::string& SettingsSql();

 private:
  PgPool* pool_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_READER_H_
