#include "services/tracking/pg_outcome_settler.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "common/storage_error.h"
#include "services/tracking/pg_insights_reader.h"

namespace smartshop::tracking {
namespace {

// One settling transaction in the whole cluster at a time.
constexpr int64_t kSettleLock = 7596553517003597934;

// Exact to the microsecond, as the column holds it.
absl::Time FromMicrosField(const pqxx::field& field) {
  return absl::FromUnixMicros(field.as<int64_t>());
}

// Microseconds since the epoch, exactly; NULL for '-infinity'.
std::string Micros(absl::string_view column) {
  return absl::StrCat("CASE WHEN ", column, " > '-infinity' THEN (extract(",
                      "epoch FROM ", column, ") * 1000000)::bigint END");
}

}  // namespace

PgOutcomeSettler::~PgOutcomeSettler() {
  stopping_.Notify();
  if (thread_.joinable()) thread_.join();
}

void PgOutcomeSettler::Start() {
  thread_ = std::thread([this] {
    do {
      absl::StatusOr<SettleProgress> progress = RunOnce();
      if (!progress.ok()) {
        // Postgres away or migrating: the next run goes on from the mark.
        Log(LogLevel::kWarning, "outcome_settling_failed",
            {{"error", progress.status().ToString()}});
      } else if (progress->answers > 0) {
        Log(LogLevel::kInfo, "outcomes_settled",
            {{"answers", progress->answers},
             {"chunks", int64_t{progress->chunks}},
             {"settled_until", PgTimestamp(progress->settled_until)}});
      }
    } while (!stopping_.WaitForNotificationWithTimeout(options_.interval));
  });
}

absl::StatusOr<SettleProgress> PgOutcomeSettler::RunOnce() {
  const absl::Time horizon =
      clock_->Now() - 2 * options_.conversion_window - options_.delay;
  SettleProgress progress;
  while (!stopping_.HasBeenNotified()) {
    absl::StatusOr<bool> more = SettleChunk(horizon, progress);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  return progress;
}

absl::StatusOr<bool> PgOutcomeSettler::SettleChunk(absl::Time horizon,
                                                   SettleProgress& progress) {
  const std::string window = absl::StrCat(
      absl::ToInt64Seconds(options_.conversion_window), " seconds");
  const absl::Time deadline = absl::Now() + options_.statement_timeout;
  bool more = false;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    more = false;
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    txn.exec(PgInsightsReader::SettingsSql());
    if (!txn.exec1(absl::StrCat("SELECT pg_try_advisory_xact_lock(",
                                kSettleLock, ")"))[0]
             .as<bool>()) {
      progress.busy = true;
      return;
    }
    std::optional<absl::Time> from = LockMark(txn, window);
    if (!from.has_value()) {
      // Settled with another window: start over with this one.
      RestartWith(txn, window);
      txn.commit();
      more = true;
      return;
    }
    progress.settled_until = *from;
    if (*from >= horizon) return;
    std::optional<absl::Time> next = NextAnswer(txn, *from, horizon);
    const absl::Time to =
        next.has_value() ? ChunkEnd(txn, *next, horizon) : horizon;
    if (next.has_value()) {
      MakeMonths(txn, *next, to);
      // From the next answer: nothing was served since the mark, and the
      // carts and orders read start there.
      progress.answers +=
          txn.exec_params(PgInsightsReader::SettleSql(), PgTimestamp(*next),
                          PgTimestamp(to), "", "", window)
              .affected_rows();
      ++progress.chunks;
    }
    txn.exec_params(
        "UPDATE served_outcomes_settled SET settled_until = $1::timestamptz",
        PgTimestamp(to));
    txn.commit();
    progress.settled_until = to;
    more = to < horizon;
  });
  if (!status.ok()) return StorageErrorForCaller(status, "settle_outcomes");
  return more;
}

std::optional<absl::Time> PgOutcomeSettler::LockMark(
    pqxx::work& txn, const std::string& window) {
  // Made by migration 0006; again here should it have been deleted.
  txn.exec_params(
      "INSERT INTO served_outcomes_settled VALUES (true, $1::interval, "
      "'-infinity') ON CONFLICT DO NOTHING",
      window);
  // Locked until commit: a late answer or event that moves the mark back
  // waits for this chunk and then moves it back from where it ends; an
  // erasure waits too, so that no chunk stores the facts of an answer it
  // erased meanwhile.
  const pqxx::row mark =
      txn.exec_params1(absl::StrCat("SELECT conversion_window = $1::interval, ",
                                    Micros("settled_until"),
                                    " FROM served_outcomes_settled FOR UPDATE"),
                       window);
  if (!mark[0].as<bool>()) return std::nullopt;
  return mark[1].is_null() ? absl::InfinitePast() : FromMicrosField(mark[1]);
}

void PgOutcomeSettler::RestartWith(pqxx::work& txn, const std::string& window) {
  // DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe (a read's snapshot
  // would find the table empty) and waits for every reader. Rare: a change
  // of the settled window.
  txn.exec("SET LOCAL lock_timeout = '5s'");
  txn.exec("DELETE FROM served_outcomes");
  txn.exec_params(
      "UPDATE served_outcomes_settled SET conversion_window = $1::interval, "
      "settled_until = '-infinity'",
      window);
  Log(LogLevel::kInfo, "outcome_settling_restarted",
      {{"conversion_window", window}});
}

std::optional<absl::Time> PgOutcomeSettler::NextAnswer(pqxx::work& txn,
                                                       absl::Time from,
                                                       absl::Time horizon) {
  // Time without answers is skipped: the chunk starts at the next one.
  const pqxx::row next = txn.exec_params1(
      absl::StrCat("SELECT ", Micros("min(served_at)"),
                   " FROM served_recommendations WHERE served_at >= "
                   "$1::timestamptz AND served_at < $2::timestamptz"),
      from == absl::InfinitePast() ? "-infinity" : PgTimestamp(from),
      PgTimestamp(horizon));
  if (next[0].is_null()) return std::nullopt;
  return FromMicrosField(next[0]);
}

absl::Time PgOutcomeSettler::ChunkEnd(pqxx::work& txn, absl::Time next,
                                      absl::Time horizon) {
  absl::Time to = std::min(next + options_.chunk, horizon);
  // At most max_chunk_answers, so that a busy hour fits the statement
  // timeout; looked for within the chunk, so a quiet hour reads only its
  // own answers.
  const pqxx::result capped = txn.exec_params(
      absl::StrCat("SELECT ", Micros("served_at"),
                   " FROM served_recommendations WHERE served_at >= "
                   "$1::timestamptz AND served_at < $2::timestamptz "
                   "ORDER BY served_at OFFSET $3 LIMIT 1"),
      PgTimestamp(next), PgTimestamp(to), options_.max_chunk_answers);
  if (!capped.empty()) {
    const absl::Time cap = FromMicrosField(capped[0][0]);
    if (cap > next) to = std::min(to, cap);
  }
  return to;
}

void PgOutcomeSettler::MakeMonths(pqxx::work& txn, absl::Time first,
                                  absl::Time to) {
  // The months of the chunk's answers, when the retention job has not made
  // them (answers older than the migration that added the table).
  txn.exec_params(
      "SELECT insights_ensure_partition('served_outcomes'::regclass, "
      "m AT TIME ZONE 'UTC') FROM generate_series(date_trunc('month', "
      "$1::timestamptz AT TIME ZONE 'UTC'), $2::timestamptz AT TIME ZONE "
      "'UTC', interval '1 month') m WHERE to_regclass('served_outcomes_' "
      "|| to_char(m, '\"y\"YYYY\"m\"MM')) IS NULL",
      PgTimestamp(first), PgTimestamp(to));
}

}  // namespace smartshop::tracking
