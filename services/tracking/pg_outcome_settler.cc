#include "services/tracking/pg_outcome_settler.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "common/storage_error.h"
#include "services/tracking/pg_insights_reader.h"

namespace smartshop::tracking {
namespace {

// One settling transaction in the whole cluster at a time.
constexpr int64_t kSettleLock = 7596553517003597934;

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6S+00", t, absl::UTCTimeZone());
}

// Exact to the microsecond, as the column holds it.
absl::Time FromMicrosField(const pqxx::field& field) {
  return absl::FromUnixMicros(field.as<int64_t>());
}

std::string Micros(absl::string_view column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000000)::bigint");
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
             {"settled_until", FormatUtc(progress->settled_until)}});
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
    // The first run starts from the first answer ever served.
    txn.exec_params(
        "INSERT INTO served_outcomes_settled (conversion_window, "
        "settled_until) SELECT $1::interval, coalesce((SELECT min(served_at) "
        "FROM served_recommendations), $2::timestamptz) "
        "ON CONFLICT DO NOTHING",
        window, FormatUtc(horizon));
    // Locked until commit: a late answer or event that moves the mark back
    // waits for this chunk and then moves it back from where it ends; an
    // erasure waits too, so that no chunk stores the facts of an answer it
    // erased meanwhile.
    const pqxx::row mark = txn.exec_params1(
        absl::StrCat("SELECT conversion_window = $1::interval, ",
                     Micros("settled_until"),
                     " FROM served_outcomes_settled FOR UPDATE"),
        window);
    if (!mark[0].as<bool>()) {
      // Settled with another window: start over with this one.
      txn.exec("TRUNCATE served_outcomes");
      txn.exec_params(
          "UPDATE served_outcomes_settled SET conversion_window = "
          "$1::interval, settled_until = coalesce((SELECT min(served_at) "
          "FROM served_recommendations), $2::timestamptz)",
          window, FormatUtc(horizon));
      txn.commit();
      Log(LogLevel::kInfo, "outcome_settling_restarted",
          {{"conversion_window", window}});
      more = true;
      return;
    }
    const absl::Time from = FromMicrosField(mark[1]);
    progress.settled_until = from;
    if (from >= horizon) return;
    // Skip time without answers: the chunk starts at the next one.
    const pqxx::row next = txn.exec_params1(
        absl::StrCat("SELECT ", Micros("min(served_at)"),
                     " FROM served_recommendations WHERE served_at >= "
                     "$1::timestamptz AND served_at < $2::timestamptz"),
        FormatUtc(from), FormatUtc(horizon));
    const absl::Time to =
        next[0].is_null()
            ? horizon
            : std::min(FromMicrosField(next[0]) + options_.chunk, horizon);
    if (!next[0].is_null()) {
      // The months of the chunk, when the retention job has not made them
      // (answers older than the migration that added the table).
      txn.exec_params(
          "SELECT insights_ensure_partition('served_outcomes'::regclass, "
          "m AT TIME ZONE 'UTC') FROM generate_series(date_trunc('month', "
          "$1::timestamptz AT TIME ZONE 'UTC'), $2::timestamptz AT TIME ZONE "
          "'UTC', interval '1 month') m WHERE to_regclass('served_outcomes_' "
          "|| to_char(m, '\"y\"YYYY\"m\"MM')) IS NULL",
          FormatUtc(from), FormatUtc(to));
      progress.answers +=
          txn.exec_params(PgInsightsReader::SettleSql(), FormatUtc(from),
                          FormatUtc(to), "", "", window)
              .affected_rows();
      ++progress.chunks;
    }
    txn.exec_params(
        "UPDATE served_outcomes_settled SET settled_until = $1::timestamptz",
        FormatUtc(to));
    txn.commit();
    progress.settled_until = to;
    more = to < horizon;
  });
  if (!status.ok()) return StorageErrorForCaller(status, "settle_outcomes");
  return more;
}

}  // namespace smartshop::tracking
