#include "services/tracking/pg_interaction_store.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/pg_array.h"
#include "common/proto_time.h"
#include "common/storage_error.h"
#include "services/tracking/interaction_validator.h"
#include "services/tracking/outcome_settlement.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Interaction;

constexpr char kInsertName[] = "insert_interactions";
// Each event first claims its event_id in interaction_event_ids: a unique key
// of the partitioned table would have to include occurred_at, so it could
// not refuse a replay dated in another month. Only the claimed events are
// written, in the same statement and transaction. A concurrent claim of the
// same id waits for the first transaction and then counts as a duplicate,
// or goes in if that one rolled back: as strong as a unique index.
// The batch's order is kept (ORDER BY position): ids, and so the log order
// of one transaction, follow the order the events were sent in, which the
// join with the claimed ids would otherwise shuffle.
constexpr char kInsertSql[] = R"sql(
WITH batch AS (
  SELECT e::uuid AS event_id, u, s, t, ts, p, c, o, q, sq, pu, ru, ip, ua, x,
    ri, rp, n AS position
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
              $6::bigint[], $7::bigint[], $8::bigint[], $9::integer[],
              $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
              $15::text[], $16::text[], $17::integer[]) WITH ORDINALITY
    AS r(e, u, s, t, ts, p, c, o, q, sq, pu, ru, ip, ua, x, ri, rp, n)),
claimed AS (
  INSERT INTO interaction_event_ids (event_id)
  SELECT event_id FROM batch
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id)
INSERT INTO interactions (event_id, user_id, session_key, interaction_type,
  occurred_at, product_id, category_id, order_id, quantity, search_query,
  page_url, referrer_url, ip_address, user_agent, extra_data,
  recommendation_id, recommendation_position)
SELECT batch.event_id, NULLIF(u, ''), NULLIF(s, ''), t, ts::timestamptz,
  NULLIF(p, 0), NULLIF(c, 0), NULLIF(o, 0), q, NULLIF(sq, ''),
  NULLIF(pu, ''), NULLIF(ru, ''), NULLIF(ip, '')::inet, NULLIF(ua, ''),
  x::jsonb, NULLIF(ri, '')::uuid, NULLIF(rp, 0)
FROM batch JOIN claimed USING (event_id)
ORDER BY batch.position
RETURNING event_id::text)sql";

constexpr char kSelectColumns[] = R"sql(
SELECT id, event_id::text, coalesce(user_id, ''), coalesce(session_key, ''),
  interaction_type, (extract(epoch FROM occurred_at) * 1000000)::bigint,
  coalesce(product_id, 0), coalesce(category_id, 0), coalesce(order_id, 0),
  quantity, coalesce(search_query, ''), coalesce(page_url, ''),
  coalesce(referrer_url, ''), coalesce(host(ip_address), ''),
  coalesce(user_agent, ''), extra_data::text,
  coalesce(recommendation_id::text, ''), coalesce(recommendation_position, 0)
FROM interactions)sql";

void SetTimestampMicros(int64_t micros, google::protobuf::Timestamp* ts) {
  SetTimestamp(absl::FromUnixMicros(micros), ts);
}

// The columns of kSelectColumns, from `first` on.
Interaction FromRow(const pqxx::row& row, int first = 0) {
  Interaction event;
  event.set_sequence(row[first].as<int64_t>());
  event.set_event_id(row[first + 1].as<std::string>());
  event.set_user_id(row[first + 2].as<std::string>());
  event.set_session_key(row[first + 3].as<std::string>());
  event.set_type(TypeFromName(row[first + 4].as<std::string>()));
  SetTimestampMicros(row[first + 5].as<int64_t>(), event.mutable_timestamp());
  event.set_product_id(row[first + 6].as<int64_t>());
  event.set_category_id(row[first + 7].as<int64_t>());
  event.set_order_id(row[first + 8].as<int64_t>());
  event.set_quantity(row[first + 9].as<int32_t>());
  event.set_search_query(row[first + 10].as<std::string>());
  event.set_page_url(row[first + 11].as<std::string>());
  event.set_referrer_url(row[first + 12].as<std::string>());
  event.set_ip_address(row[first + 13].as<std::string>());
  event.set_user_agent(row[first + 14].as<std::string>());
  event.set_extra_data(row[first + 15].as<std::string>());
  event.set_recommendation_id(row[first + 16].as<std::string>());
  event.set_position(row[first + 17].as<int32_t>());
  return event;
}

// For the log reads, whose plan is the same whatever the position: a merge
// of every month's (txid, id) index. Planned afresh per call (a custom
// plan), it cost 110-200 ms a page at 305 months against 20 ms planned once.
void UseGenericPlan(pqxx::transaction_base& txn) {
  txn.exec("SET LOCAL plan_cache_mode = force_generic_plan");
}

// The months (UTC) the events fall in, each once.
std::vector<absl::CivilMonth> MonthsOf(absl::Span<const Interaction> events) {
  std::vector<absl::CivilMonth> months;
  for (const Interaction& e : events) {
    months.push_back(absl::CivilMonth(
        absl::ToCivilSecond(ToTime(e.timestamp()), absl::UTCTimeZone())));
  }
  std::sort(months.begin(), months.end());
  months.erase(std::unique(months.begin(), months.end()), months.end());
  return months;
}

}  // namespace

// The filters present in a query, one bit each: each combination is its own
// prepared statement, so every plan can use the index that fits it.
PgStatement PgInteractionStore::ListStatement(const InteractionQuery& q) {
  PgStatement st;
  std::vector<std::string> where;
  int mask = 0;
  auto add = [&](int bit, std::string condition_with_placeholder,
                 std::string value) {
    mask |= bit;
    st.params.push_back(std::move(value));
    where.push_back(
        absl::StrCat(condition_with_placeholder, "$", st.params.size()));
  };
  if (!q.user_id.empty()) add(1, "user_id = ", q.user_id);
  if (!q.exclude_user_id.empty()) {
    add(2, "user_id IS DISTINCT FROM ", q.exclude_user_id);
  }
  if (!q.session_key.empty()) add(4, "session_key = ", q.session_key);
  if (!q.types.empty()) {
    PgArrayBuilder names;
    for (auto type : q.types) names.Add(TypeName(type));
    mask |= 8;
    st.params.push_back(std::move(names).Finish());
    where.push_back(absl::StrCat("interaction_type = ANY($", st.params.size(),
                                 "::text[])"));
  }
  if (q.since) add(16, "occurred_at >= ", PgTimestamp(*q.since));
  if (q.until) add(32, "occurred_at < ", PgTimestamp(*q.until));
  if (q.after) {
    mask |= 64;
    st.params.push_back(absl::StrCat(q.after->timestamp_micros));
    st.params.push_back(absl::StrCat(q.after->sequence));
    where.push_back(absl::StrCat("(occurred_at, id) < (to_timestamp(0) + $",
                                 st.params.size() - 1,
                                 "::bigint * interval '1 microsecond', $",
                                 st.params.size(), "::bigint)"));
  }
  st.params.push_back(absl::StrCat(q.limit + 1));  // one more: is there a next?
  st.name = absl::StrCat("list_interactions_", mask);
  st.sql = absl::StrCat(kSelectColumns, where.empty() ? "" : " WHERE ",
                        absl::StrJoin(where, " AND "),
                        " ORDER BY occurred_at DESC, id DESC LIMIT $",
                        st.params.size());
  return st;
}

const std::string& PgInteractionStore::InsertSql() {
  static const std::string sql = kInsertSql;
  return sql;
}

absl::StatusOr<std::vector<bool>> PgInteractionStore::Insert(
    absl::Span<const Interaction> events, absl::Time deadline) {
  std::vector<bool> stored(events.size(), false);
  if (events.empty()) return stored;
  PgArrayBuilder ids, users, sessions, types, times, products, categories,
      orders, quantities, queries, pages, referrers, ips, agents, extras,
      recommendations, positions;
  absl::flat_hash_map<std::string, size_t> index_of;
  for (size_t i = 0; i < events.size(); ++i) {
    const Interaction& e = events[i];
    index_of[e.event_id()] = i;
    ids.Add(e.event_id());
    users.Add(e.user_id());
    sessions.Add(e.session_key());
    types.Add(TypeName(e.type()));
    times.Add(PgTimestamp(ToTime(e.timestamp())));
    products.Add(e.product_id());
    categories.Add(e.category_id());
    orders.Add(e.order_id());
    quantities.Add(int64_t{e.quantity()});
    queries.Add(e.search_query());
    pages.Add(e.page_url());
    referrers.Add(e.referrer_url());
    ips.Add(e.ip_address());
    agents.Add(e.user_agent());
    extras.Add(e.extra_data());
    recommendations.Add(e.recommendation_id());
    positions.Add(int64_t{e.position()});
  }
  std::vector<std::string> arrays;
  for (PgArrayBuilder* array :
       {&ids, &users, &sessions, &types, &times, &products, &categories,
        &orders, &quantities, &queries, &pages, &referrers, &ips, &agents,
        &extras, &recommendations, &positions}) {
    arrays.push_back(std::move(*array).Finish());
  }
  // A late click, cart or order can change answers already settled: the
  // same transaction moves the settlement back (outcome_settlement.h).
  // Views count only with an answer's id: only those are clicks.
  absl::Time first_late = absl::InfiniteFuture();
  for (const Interaction& e : events) {
    if ((e.type() == smartshop::v1::VIEW_PRODUCT &&
         !e.recommendation_id().empty()) ||
        e.type() == smartshop::v1::ADD_TO_CART ||
        e.type() == smartshop::v1::ORDER_PLACED) {
      first_late = std::min(first_late, ToTime(e.timestamp()));
    }
  }
  const bool late = first_late < absl::Now() - kLateArrival;
  std::string arguments;
  // A month without its partition (an import of old history, a clock far
  // ahead) fails the insert with a check violation: make the months and try
  // once more. Any other violation fails the second try as well.
  bool missing_month = false;
  auto attempt = [&](bool catch_missing) {
    return pool_->Run(deadline, [&](PgConnection& c) {
      // One round trip per group instead of four (BEGIN, the timeout, the
      // insert, COMMIT): the timeout and the prepared insert go in one
      // message, which Postgres runs and commits as one transaction. A
      // connection lost after the commit makes the pool try again: the
      // event-id claims make that retry store nothing twice (its events
      // answer "already stored").
      c.EnsurePreparedForExecute(kInsertName, kInsertSql, deadline);
      if (arguments.empty()) {
        for (const std::string& array : arrays) {
          absl::StrAppend(&arguments, arguments.empty() ? "" : ", ",
                          c.conn().quote(array));
        }
      }
      pqxx::nontransaction txn(c.conn());
      pqxx::result inserted;
      try {
        // First: the mark is locked before the rows, as everywhere.
        const std::string undo =
            late ? absl::StrReplaceAll(
                       kUndoSettlementTwoWindowsSql,
                       {{"$1", c.conn().quote(PgTimestamp(first_late))}}) +
                       "; "
                 : "";
        inserted = txn.exec(absl::StrCat(StatementDeadlineSql(deadline), "; ",
                                         undo, "EXECUTE ", kInsertName, "(",
                                         arguments, ")"));
      } catch (const pqxx::check_violation&) {
        if (!catch_missing) throw;
        missing_month = true;
        return;
      }
      for (const auto& row : inserted) {
        auto it = index_of.find(row[0].as<std::string>());
        if (it != index_of.end()) stored[it->second] = true;
      }
    });
  };
  absl::Status status = attempt(/*catch_missing=*/true);
  if (status.ok() && missing_month) {
    absl::StatusOr<int> made = CreateMonths(MonthsOf(events), deadline);
    status = made.ok() ? attempt(/*catch_missing=*/false) : made.status();
  }
  if (!status.ok()) return StorageErrorForCaller(status, "insert_interactions");
  return stored;
}

absl::StatusOr<InteractionPage> PgInteractionStore::List(
    const InteractionQuery& query, absl::Time deadline) {
  const PgStatement statement = ListStatement(query);
  InteractionPage page;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    page.interactions.clear();
    c.EnsurePrepared(statement.name, statement.sql);
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    pqxx::result rows = txn.exec_prepared(
        statement.name, pqxx::prepare::make_dynamic_params(statement.params));
    for (const auto& row : rows) page.interactions.push_back(FromRow(row));
  });
  if (!status.ok()) return StorageErrorForCaller(status, "list_interactions");
  if (static_cast<int>(page.interactions.size()) > query.limit) {
    page.interactions.resize(query.limit);
    const Interaction& last = page.interactions.back();
    page.next = InteractionCursor{last.timestamp().seconds() * 1'000'000 +
                                      last.timestamp().nanos() / 1000,
                                  last.sequence()};
  }
  return page;
}

const std::string& PgInteractionStore::ListAfterSql() {
  // Below the oldest running transaction (the snapshot's xmin) every
  // transaction has ended: its rows are all there, or never will be.
  // The cast output is aliased and the ordering qualified: a bare `txid` in
  // ORDER BY would name the output column (a bigint), which no index has,
  // and every page would sort the whole table. The log order crosses the
  // months, so each page merges the partitions' (txid, id) indexes.
  static const std::string sql = absl::StrCat(
      "SELECT txid::text::bigint AS log_txid, ",
      absl::string_view(kSelectColumns).substr(7),
      " WHERE (interactions.txid, interactions.id) > ($1::text::xid8, $2)"
      " AND interactions.txid < pg_snapshot_xmin(pg_current_snapshot())"
      " ORDER BY interactions.txid, interactions.id LIMIT $3");
  return sql;
}

absl::StatusOr<std::vector<LogEntry>> PgInteractionStore::ListAfter(
    LogPosition after, int limit, absl::Time deadline) {
  std::vector<LogEntry> entries;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    entries.clear();
    c.EnsurePrepared("list_log_after", ListAfterSql());
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    UseGenericPlan(txn);
    pqxx::result rows = txn.exec_prepared(
        "list_log_after", absl::StrCat(after.txid), after.sequence, limit);
    for (const auto& row : rows) {
      LogEntry entry;
      entry.position.txid = row[0].as<int64_t>();
      entry.event = FromRow(row, 1);
      entry.position.sequence = entry.event.sequence();
      entries.push_back(std::move(entry));
    }
  });
  if (!status.ok()) return StorageErrorForCaller(status, "list_log_after");
  return entries;
}

const std::string& PgInteractionStore::LogHorizonLagSql() {
  // The first entry at or above the horizon in log order, which the log
  // index finds at once: the lowest transaction id there began first.
  // Entries of transactions still open are invisible here, so every row
  // seen is committed and held back.
  static const std::string sql = R"sql(
SELECT (extract(epoch FROM now() - received_at) * 1000000)::bigint
FROM interactions
WHERE txid >= pg_snapshot_xmin(pg_current_snapshot())
ORDER BY txid, id LIMIT 1)sql";
  return sql;
}

absl::StatusOr<absl::Duration> PgInteractionStore::LogHorizonLag(
    absl::Time deadline) {
  int64_t micros = 0;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    c.EnsurePrepared("log_horizon_lag", LogHorizonLagSql());
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    UseGenericPlan(txn);
    pqxx::result rows = txn.exec_prepared("log_horizon_lag");
    micros = rows.empty() ? 0 : rows[0][0].as<int64_t>();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "log_horizon_lag");
  return absl::Microseconds(std::max<int64_t>(0, micros));
}

absl::StatusOr<int64_t> PgInteractionStore::DeleteUser(
    const std::string& user_id, absl::Time deadline) {
  int64_t deleted = 0;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    deleted =
        txn.exec_params("DELETE FROM interactions WHERE user_id = $1", user_id)
            .affected_rows();
    txn.commit();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "delete_user");
  return deleted;
}

absl::StatusOr<int64_t> PgInteractionStore::AnonymizeBefore(
    absl::Time cutoff, int limit, absl::Time deadline) {
  int64_t cleared = 0;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    cleared = txn.exec_params(R"sql(
UPDATE interactions SET ip_address = NULL, user_agent = NULL
WHERE id IN (
  SELECT id FROM interactions
  WHERE occurred_at < $1::timestamptz
    AND (ip_address IS NOT NULL OR user_agent IS NOT NULL)
  LIMIT $2))sql",
                              PgTimestamp(cutoff), limit)
                  .affected_rows();
    txn.commit();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "anonymize_before");
  return cleared;
}

absl::StatusOr<int> PgInteractionStore::CreateMonths(
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
                  "SELECT count(*) FILTER (WHERE interactions_ensure_partition"
                  "(m)) FROM unnest($1::timestamptz[]) AS m",
                  std::move(firsts).Finish())[0]
               .as<int>();
    txn.commit();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "create_months");
  return made;
}

absl::StatusOr<DroppedMonths> PgInteractionStore::DropMonthsBefore(
    absl::CivilMonth first_kept, absl::Time deadline) {
  // Partitions are named interactions_yYYYYmMM by
  // interactions_ensure_partition (migration 0003).
  static constexpr char kOldMonthsSql[] = R"sql(
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'interactions'::regclass
  AND c.relname ~ '^interactions_y[0-9]{4}m[0-9]{2}$'
  AND to_date(substr(c.relname, 15, 4) || substr(c.relname, 20, 2), 'YYYYMM')
      < $1::date
ORDER BY c.relname)sql";
  const std::string first_kept_date =
      absl::FormatCivilTime(absl::CivilDay(first_kept));
  std::vector<std::string> old_months;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    old_months.clear();
    pqxx::read_transaction txn(c.conn());
    SetStatementDeadline(txn, deadline);
    for (const auto& row : txn.exec_params(kOldMonthsSql, first_kept_date)) {
      old_months.push_back(row[0].as<std::string>());
    }
  });
  DroppedMonths dropped;
  for (const std::string& month : old_months) {
    if (!status.ok()) break;
    status = pool_->Run(deadline, [&](PgConnection& c) {
      pqxx::work txn(c.conn());
      SetStatementDeadline(txn, deadline);
      // Dropping a partition locks the whole table (ACCESS EXCLUSIVE): give
      // up soon rather than queue every reader and writer behind a long
      // transaction; the next run tries again.
      txn.exec("SET LOCAL lock_timeout = '5s'");
      const std::string table = txn.quote_name(month);
      // No more writes into the month while its ids are forgotten (an id
      // claimed meanwhile would stay claimed with its event gone); reads go
      // on until the drop.
      txn.exec(absl::StrCat("LOCK TABLE ", table, " IN SHARE MODE"));
      const int64_t events =
          txn.exec1(absl::StrCat("SELECT count(*) FROM ", table))[0]
              .as<int64_t>();
      txn.exec(absl::StrCat("DELETE FROM interaction_event_ids d USING ", table,
                            " p WHERE d.event_id = p.event_id"));
      txn.exec(absl::StrCat("DROP TABLE ", table));
      txn.commit();
      ++dropped.months;
      dropped.events += events;
    });
  }
  if (!status.ok()) return StorageErrorForCaller(status, "drop_months");
  return dropped;
}

}  // namespace smartshop::tracking
