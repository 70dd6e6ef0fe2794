// InsightsReader on Postgres: one statement per request counts the facts of
// the served answers of the range: those of settled answers as
// served_outcomes keeps them (PgOutcomeSettler), the others attributed when
// read by joining the answers with their impressions, the interactions that
// carry their ids, and the conversions that follow a click, by the rules of
// docs/attribution.md.
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_READER_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_READER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
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
  // as sent when the answers before `settled_until` are settled: tests
  // EXPLAIN it.
  static PgStatement Statement(const InsightsQuery& query,
                               absl::Time settled_until = absl::InfinitePast());
  // Settles the answers served in [$1, $2) with the window $5 ($3 and $4
  // empty): their facts into served_outcomes.
  static const std::string& SettleSql();
  // The settings the statement runs under (SET LOCAL, inside its
  // transaction).
  static const std::string& SettingsSql();

 private:
  // The attribution of the answers served from `from_param` (a placeholder)
  // to $2, as CTEs ending in live_facts.
  static std::string FactsCtes(absl::string_view from_param);

  PgPool* pool_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_INSIGHTS_READER_H_
