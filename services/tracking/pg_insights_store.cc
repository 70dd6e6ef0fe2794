#include "services/tracking/pg_insights_store.h"

#include <algorithm>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "common/pg_array.h"
#include "common/proto_time.h"
#include "common/storage_error.h"
#include "services/tracking/outcome_settlement.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Impression;
using smartshop::v1::ServedRecommendation;

// The tables partitioned by month (migrations 0005 and 0006), each
// partition named <table>_yYYYYmMM by insights_ensure_partition.
// Settled outcomes first: a month of them never outlives its answers.
constexpr const char* kPartitionedTables[] = {
    "served_outcomes", "served_recommendations", "recommendation_impressions"};

// A retried batch carries the same (recommendation_id, served_at), so the
// primary key finds the row and nothing is stored twice: idempotent. One
// change is taken: a larger model spend, which the recommender sends again
// for an answer whose model call finished after it left (its caller could
// not wait); GREATEST keeps retries of that idempotent too. Within a batch
// an answer's largest spend wins (DISTINCT ON). The first column counts the
// new answers. (RETURNING xmax cannot tell inserts from updates on a
// partitioned table, hence the insert and the update apart.)
constexpr char kRecordServedSql[] = R"sql(
WITH b AS (
  SELECT DISTINCT ON (r, ts) r::uuid AS rid, ts::timestamptz AS at,
    NULLIF(u, '') AS u, NULLIF(s, '') AS s, pl, st, NULLIF(ex, '') AS ex,
    NULLIF(va, '') AS va, ch, pi::bigint[] AS pi, mc, mu, lm,
    NULLIF(fb, '') AS fb
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
              $6::text[], $7::text[], $8::text[], $9::boolean[], $10::text[],
              $11::integer[], $12::double precision[], $13::bigint[],
              $14::text[])
    AS b(r, ts, u, s, pl, st, ex, va, ch, pi, mc, mu, lm, fb)
  ORDER BY r, ts, mc DESC, mu DESC),
inserted AS (
  INSERT INTO served_recommendations (recommendation_id, served_at, user_id,
    session_key, placement, strategy, experiment, variant, cache_hit,
    product_ids, model_calls, model_cost_usd, latency_micros, fallback_code)
  SELECT rid, at, u, s, pl, st, ex, va, ch, pi, mc, mu, lm, fb FROM b
  ON CONFLICT (recommendation_id, served_at) DO NOTHING
  RETURNING 1),
raised AS (
  UPDATE served_recommendations o
  SET model_calls = GREATEST(o.model_calls, b.mc),
      model_cost_usd = GREATEST(o.model_cost_usd, b.mu)
  FROM b
  WHERE o.recommendation_id = b.rid AND o.served_at = b.at
    AND (b.mc > o.model_calls OR b.mu > o.model_cost_usd)
  RETURNING 1)
SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM raised))sql";

// As interactions (pg_interaction_store.cc, kInsertSql): each impression
// first claims its event_id in impression_event_ids, which holds ids across
// months (a unique key of the partitioned table would have to include
// shown_at); only claimed impressions are written, in the same statement.
// Each stored one says whether the served log holds its answer, and when it
// was served, by the primary key of served_recommendations (one probe per
// month).
constexpr char kInsertImpressionsSql[] = R"sql(
WITH batch AS (
  SELECT e::uuid AS event_id, r::uuid AS recommendation_id,
    ts::timestamptz AS shown_at, u, s, p, n AS position
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
              $6::text[]) WITH ORDINALITY AS b(e, r, ts, u, s, p, n)),
claimed AS (
  INSERT INTO impression_event_ids (event_id, shown_at)
  SELECT event_id, shown_at FROM batch
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id),
inserted AS (
  INSERT INTO recommendation_impressions (event_id, recommendation_id,
    shown_at, user_id, session_key, positions)
  SELECT batch.event_id, batch.recommendation_id, batch.shown_at,
    NULLIF(u, ''), NULLIF(s, ''), NULLIF(p, '')::integer[]
  FROM batch JOIN claimed USING (event_id)
  ORDER BY batch.position
  RETURNING event_id, recommendation_id)
SELECT inserted.event_id::text, k.served_at IS NOT NULL,
  (extract(epoch FROM k.served_at) * 1000000)::bigint
FROM inserted CROSS JOIN LATERAL (
  SELECT min(sr.served_at) AS served_at FROM served_recommendations sr
  WHERE sr.recommendation_id = inserted.recommendation_id) k)sql";

constexpr char kDeleteServedSql[] =
    "DELETE FROM served_recommendations WHERE user_id = $1";
constexpr char kDeleteImpressionsSql[] =
    "DELETE FROM recommendation_impressions WHERE user_id = $1";
constexpr char kDeleteOutcomesSql[] =
    "DELETE FROM served_outcomes WHERE user_id = $1";

// Something this old that arrives can change a settled answer
// (outcome_settlement.h): it moves the settlement back, in its transaction.
bool MaySettle(absl::Time t) { return t < absl::Now() - kLateArrival; }

std::string IntArrayLiteral(const google::protobuf::RepeatedField<int64_t>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

std::string IntArrayLiteral(const google::protobuf::RepeatedField<int32_t>& v) {
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

template <typename T>
std::vector<absl::CivilMonth> MonthsOf(absl::Span<const T> rows,
                                       absl::Time (*time_of)(const T&)) {
  std::vector<absl::CivilMonth> months;
  for (const T& row : rows) {
    months.push_back(absl::CivilMonth(
        absl::ToCivilSecond(time_of(row), absl::UTCTimeZone())));
  }
  std::sort(months.begin(), months.end());
  months.erase(std::unique(months.begin(), months.end()), months.end());
  return months;
}

absl::Time ServedAt(const ServedRecommendation& s) {
  return ToTime(s.served_at());
}
absl::Time ShownAt(const Impression& i) { return ToTime(i.timestamp()); }

// Runs `insert` (which reports a missing month by returning true) and, when
// a month had no partition (an old replay, a clock far ahead), makes
// `months` and runs it once more, no longer catching.
template <typename Insert>
absl::Status InsertMakingMonths(PgInsightsStore& store,
                                const std::vector<absl::CivilMonth>& months,
                                absl::Time deadline, Insert insert) {
  bool missing_month = false;
  absl::Status status = insert(/*catch_missing=*/true, &missing_month);
  if (status.ok() && missing_month) {
    absl::StatusOr<int> made = store.CreateMonths(months, deadline);
    status = made.ok() ? insert(/*catch_missing=*/false, &missing_month)
                       : made.status();
  }
  return status;
}

}  // namespace

const std::string& PgInsightsStore::RecordServedSql() {
  static const std::string sql = kRecordServedSql;
  return sql;
}

const std::string& PgInsightsStore::InsertImpressionsSql() {
  static const std::string sql = kInsertImpressionsSql;
  return sql;
}

const std::string& PgInsightsStore::DeleteServedSql() {
  static const std::string sql = kDeleteServedSql;
  return sql;
}

const std::string& PgInsightsStore::DeleteImpressionsSql() {
  static const std::string sql = kDeleteImpressionsSql;
  return sql;
}

absl::StatusOr<int64_t> PgInsightsStore::RecordServed(
    absl::Span<const ServedRecommendation> served, absl::Time deadline) {
  if (served.empty()) return 0;
  PgArrayBuilder ids, times, users, sessions, placements, strategies,
      experiments, variants, cache_hits, products, calls, costs, latencies,
      fallbacks;
  for (const ServedRecommendation& s : served) {
    ids.Add(s.recommendation_id());
    times.Add(PgTimestamp(ToTime(s.served_at())));
    users.Add(s.user_id());
    sessions.Add(s.session_key());
    placements.Add(smartshop::v1::Placement_Name(s.placement()));
    strategies.Add(smartshop::v1::Strategy_Name(s.strategy()));
    experiments.Add(s.experiment());
    variants.Add(s.variant());
    cache_hits.Add(s.cache_hit() ? "t" : "f");
    products.Add(IntArrayLiteral(s.product_ids()));
    calls.Add(int64_t{s.model_calls()});
    // Round-trips exactly: 17 significant digits.
    costs.Add(absl::StrFormat("%.17g", s.model_cost_usd()));
    latencies.Add(s.latency_micros());
    fallbacks.Add(s.fallback_code());
  }
  std::vector<std::string> arrays;
  for (PgArrayBuilder* array :
       {&ids, &times, &users, &sessions, &placements, &strategies, &experiments,
        &variants, &cache_hits, &products, &calls, &costs, &latencies,
        &fallbacks}) {
    arrays.push_back(std::move(*array).Finish());
  }
  absl::Time first_served = absl::InfiniteFuture();
  for (const ServedRecommendation& s : served) {
    first_served = std::min(first_served, ToTime(s.served_at()));
  }
  int64_t stored = 0;
  absl::Status status = InsertMakingMonths(
      *this, MonthsOf<ServedRecommendation>(served, &ServedAt), deadline,
      [&](bool catch_missing, bool* missing) {
        return pool_->Run(deadline, [&](PgConnection& c) {
          c.EnsurePrepared("record_served", kRecordServedSql);
          pqxx::work txn(c.conn());
          SetStatementDeadline(txn, deadline);
          // A late answer (a served log held back for hours) or a larger
          // spend of a settled one: settle again. First, so that the mark
          // is locked before the served rows, as DeleteUser locks them.
          if (MaySettle(first_served)) {
            txn.exec_params(kUndoSettlementTwoWindowsSql,
                            PgTimestamp(first_served));
          }
          try {
            stored = txn.exec_prepared1(
                            "record_served",
                            pqxx::prepare::make_dynamic_params(arrays))[0]
                         .as<int64_t>();
          } catch (const pqxx::check_violation&) {
            if (!catch_missing) throw;
            *missing = true;
            return;
          }
          txn.commit();
        });
      });
  if (!status.ok()) return StorageErrorForCaller(status, "record_served");
  return stored;
}

absl::StatusOr<std::vector<ImpressionOutcome>>
PgInsightsStore::InsertImpressions(absl::Span<const Impression> impressions,
                                   absl::Time deadline) {
  std::vector<ImpressionOutcome> outcomes(impressions.size());
  if (impressions.empty()) return outcomes;
  PgArrayBuilder ids, recommendations, times, users, sessions, positions;
  absl::flat_hash_map<std::string, size_t> index_of;
  for (size_t i = 0; i < impressions.size(); ++i) {
    const Impression& m = impressions[i];
    index_of[m.event_id()] = i;
    ids.Add(m.event_id());
    recommendations.Add(m.recommendation_id());
    times.Add(PgTimestamp(ToTime(m.timestamp())));
    users.Add(m.user_id());
    sessions.Add(m.session_key());
    // Empty = every served item: NULL in the table.
    positions.Add(m.positions().empty() ? std::string()
                                        : IntArrayLiteral(m.positions()));
  }
  std::vector<std::string> arrays;
  for (PgArrayBuilder* array :
       {&ids, &recommendations, &times, &users, &sessions, &positions}) {
    arrays.push_back(std::move(*array).Finish());
  }
  absl::Status status = InsertMakingMonths(
      *this, MonthsOf<Impression>(impressions, &ShownAt), deadline,
      [&](bool catch_missing, bool* missing) {
        return pool_->Run(deadline, [&](PgConnection& c) {
          std::fill(outcomes.begin(), outcomes.end(), ImpressionOutcome{});
          c.EnsurePrepared("insert_impressions", kInsertImpressionsSql);
          pqxx::work txn(c.conn());
          SetStatementDeadline(txn, deadline);
          pqxx::result rows;
          try {
            rows =
                txn.exec_prepared("insert_impressions",
                                  pqxx::prepare::make_dynamic_params(arrays));
          } catch (const pqxx::check_violation&) {
            if (!catch_missing) throw;
            *missing = true;
            return;
          }
          // An impression of an answer already settled counts again.
          absl::Time first_served = absl::InfiniteFuture();
          for (const auto& row : rows) {
            if (!row[2].is_null()) {
              first_served = std::min(
                  first_served, absl::FromUnixMicros(row[2].as<int64_t>()));
            }
          }
          if (MaySettle(first_served)) {
            txn.exec_params(kUndoSettlementSql, PgTimestamp(first_served));
          }
          txn.commit();
          for (const auto& row : rows) {
            auto it = index_of.find(row[0].as<std::string>());
            if (it == index_of.end()) continue;
            outcomes[it->second] = {.stored = true,
                                    .known_recommendation = row[1].as<bool>()};
          }
        });
      });
  if (!status.ok()) return StorageErrorForCaller(status, "insert_impressions");
  return outcomes;
}

absl::StatusOr<InsightsErasure> PgInsightsStore::DeleteUser(
    const std::string& user_id, absl::Time deadline) {
  InsightsErasure erased;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    // After any settling chunk under way (it holds this row), so that none
    // stores the facts of an answer erased meanwhile.
    txn.exec("SELECT 1 FROM served_outcomes_settled FOR UPDATE");
    erased.served_recommendations =
        txn.exec_params(kDeleteServedSql, user_id).affected_rows();
    txn.exec_params(kDeleteOutcomesSql, user_id);
    // The impressions' event ids stay claimed: random ids, nothing
    // personal, and a retried impression must not come back after erasure.
    erased.impressions =
        txn.exec_params(kDeleteImpressionsSql, user_id).affected_rows();
    txn.commit();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "delete_insights");
  return erased;
}

absl::StatusOr<int> PgInsightsStore::CreateMonths(
    const std::vector<absl::CivilMonth>& months, absl::Time deadline) {
  if (months.empty()) return 0;
  PgArrayBuilder firsts;
  for (absl::CivilMonth month : months) {
    firsts.Add(PgTimestamp(absl::FromCivil(month, absl::UTCTimeZone())));
  }
  int made = 0;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    made = txn.exec_params1(
                  "SELECT count(*) FILTER (WHERE insights_ensure_partition"
                  "(t, m)) FROM unnest($1::timestamptz[]) AS m CROSS JOIN "
                  "unnest(ARRAY['served_recommendations', "
                  "'recommendation_impressions', 'served_outcomes']"
                  "::regclass[]) AS t",
                  std::move(firsts).Finish())[0]
               .as<int>();
    txn.commit();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "create_months");
  return made;
}

absl::StatusOr<DroppedMonths> PgInsightsStore::DropMonthsBefore(
    absl::CivilMonth first_kept, absl::Time deadline) {
  // Each partition with the first day of its month, from its name.
  static constexpr char kOldMonthsSql[] = R"sql(
SELECT c.relname, to_date(substr(right(c.relname, 8), 2, 4) ||
                          right(c.relname, 2), 'YYYYMM')::text
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = $1::text::regclass
  AND c.relname ~ ('^' || $1::text || '_y[0-9]{4}m[0-9]{2}$')
  AND to_date(substr(right(c.relname, 8), 2, 4) || right(c.relname, 2),
              'YYYYMM') < $2::date
ORDER BY c.relname)sql";
  const std::string first_kept_date =
      absl::FormatCivilTime(absl::CivilDay(first_kept));
  struct OldMonth {
    std::string table;
    std::string partition;
    std::string first_day;
  };
  std::vector<OldMonth> old_months;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    old_months.clear();
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    for (const char* table : kPartitionedTables) {
      for (const auto& row :
           txn.exec_params(kOldMonthsSql, table, first_kept_date)) {
        old_months.push_back(
            {table, row[0].as<std::string>(), row[1].as<std::string>()});
      }
    }
  });
  DroppedMonths dropped;
  for (const OldMonth& month : old_months) {
    if (!status.ok()) break;
    status = pool_->Run(deadline, [&](PgConnection& c) {
      pqxx::work txn(c.conn());
      SetStatementDeadline(txn, deadline);
      // As PgInteractionStore::DropMonthsBefore: give up soon rather than
      // queue every reader and writer behind a long transaction.
      txn.exec("SET LOCAL lock_timeout = '5s'");
      const std::string table = txn.quote_name(month.partition);
      // No writes into the month while its ids are forgotten.
      txn.exec(absl::StrCat("LOCK TABLE ", table, " IN SHARE MODE"));
      const int64_t rows =
          txn.exec1(absl::StrCat("SELECT count(*) FROM ", table))[0]
              .as<int64_t>();
      if (month.table == std::string("recommendation_impressions")) {
        // An id is claimed with its impression's shown_at, so the month's
        // ids are exactly those claimed within it (by the time index).
        txn.exec_params(
            "DELETE FROM impression_event_ids WHERE shown_at >= "
            "$1::date::timestamp AT TIME ZONE 'UTC' AND shown_at < "
            "($1::date + interval '1 month')::timestamp AT TIME ZONE 'UTC'",
            month.first_day);
      }
      txn.exec(absl::StrCat("DROP TABLE ", table));
      txn.commit();
      ++dropped.months;
      // Settled outcomes repeat their answers: counted once, as answers.
      if (month.table != std::string("served_outcomes")) dropped.events += rows;
    });
  }
  if (!status.ok())
    return StorageErrorForCaller(status, "drop_insights_months");
  return dropped;
}

}  // namespace smartshop::tracking
