#include "common/pg_pool.h"

#include <algorithm>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace smartshop {
namespace {

absl::Status FromSqlError(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  const std::string message = absl::StrCat("postgres ", state, ": ", e.what());
  if (state == "57014") return absl::DeadlineExceededError(message);
  if (absl::StartsWith(state, "08") || absl::StartsWith(state, "57P") ||
      absl::StartsWith(state, "53")) {
    return absl::UnavailableError(message);
  }
  // Data exceptions and integrity constraint violations: the rows sent are
  // at fault, not the connection, so the same rows will fail again.
  if (absl::StartsWith(state, "22") || absl::StartsWith(state, "23")) {
    return absl::InvalidArgumentError(message);
  }
  if (state == "40001" || state == "40P01") return absl::AbortedError(message);
  return absl::InternalError(message);
}

}  // namespace

PgConnection::PgConnection(const std::string& conninfo) : conn_(conninfo) {}

void PgConnection::EnsurePrepared(const std::string& name,
                                  const std::string& sql) {
  if (prepared_.insert(name).second) conn_.prepare(name, sql);
}

void PgConnection::EnsurePreparedForExecute(const std::string& name,
                                            const std::string& sql,
                                            absl::Time deadline) {
  if (prepared_.contains(name)) return;
  pqxx::nontransaction txn(conn_);
  txn.exec(absl::StrCat(StatementDeadlineSql(deadline), "; PREPARE ", name,
                        " AS ", sql));
  prepared_.insert(name);
}

PgPool::PgPool(PgPoolOptions options)
    : options_(std::move(options)),
      conninfo_(WithConnectTimeout(options_.url, options_.connect_timeout)) {}

int PgPool::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

absl::StatusOr<PgPool::Lease> PgPool::Acquire(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    auto has_room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || in_use_ < options_.size;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&has_room), deadline)) {
      return absl::DeadlineExceededError(
          "timed out waiting for a free database connection");
    }
    ++in_use_;
    if (!idle_.empty()) {
      Lease lease{std::move(idle_.back()), /*reused=*/true};
      idle_.pop_back();
      return lease;
    }
  }
  // Connect outside the lock: it can take up to connect_timeout.
  try {
    return Lease{std::make_unique<PgConnection>(conninfo_), /*reused=*/false};
  } catch (const std::exception& e) {
    absl::MutexLock lock(&mu_);
    --in_use_;
    return absl::UnavailableError(
        absl::StrCat("cannot connect to postgres: ", e.what()));
  }
}

void PgPool::Release(std::unique_ptr<PgConnection> connection, bool drop_idle) {
  absl::MutexLock lock(&mu_);
  --in_use_;
  // One stale connection means the server restarted: the others are stale
  // too, and handing them out would fail the retry.
  if (drop_idle) idle_.clear();
  if (connection != nullptr && connection->conn().is_open()) {
    idle_.push_back(std::move(connection));
  }
}

absl::Status PgPool::Run(absl::Time deadline,
                         absl::FunctionRef<void(PgConnection&)> work) {
  // A connection that sat idle may have died with a database restart; one
  // more try on a fresh connection hides that from callers. Retrying is safe:
  // a broken connection means the transaction did not commit.
  for (int attempt = 0;; ++attempt) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError("deadline passed before the query");
    }
    absl::StatusOr<Lease> lease = Acquire(deadline);
    if (!lease.ok()) return lease.status();
    std::unique_ptr<PgConnection> connection = std::move(lease->connection);
    absl::Status status;
    bool broken = false;
    try {
      work(*connection);
    } catch (const pqxx::broken_connection& e) {
      broken = true;
      status = absl::UnavailableError(
          absl::StrCat("postgres connection lost: ", e.what()));
    } catch (const pqxx::in_doubt_error& e) {
      connection.reset();
      status = absl::UnavailableError(
          absl::StrCat("postgres commit outcome unknown: ", e.what()));
    } catch (const pqxx::sql_error& e) {
      status = FromSqlError(e);
    } catch (const std::exception& e) {
      status = absl::InternalError(absl::StrCat("postgres: ", e.what()));
    }
    if (broken) connection.reset();
    Release(std::move(connection), /*drop_idle=*/broken && lease->reused);
    if (!(broken && lease->reused && attempt == 0)) return status;
  }
}

absl::Status PgPool::Ping(absl::Time deadline) {
  return Run(deadline, [&](PgConnection& c) {
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    txn.exec("SELECT 1");
    txn.commit();
  });
}

std::string PgTimestamp(absl::Time t) {
  return absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6S+00", t, absl::UTCTimeZone());
}

std::string StatementDeadlineSql(absl::Time deadline) {
  const int64_t ms =
      std::max<int64_t>(1, absl::ToInt64Milliseconds(deadline - absl::Now()));
  return absl::StrCat("SET LOCAL statement_timeout = ", ms);
}

void SetStatementDeadline(pqxx::transaction_base& txn, absl::Time deadline) {
  txn.exec(StatementDeadlineSql(deadline));
}

std::string WithConnectTimeout(absl::string_view url, absl::Duration timeout) {
  if (absl::StrContains(url, "connect_timeout")) return std::string(url);
  const int64_t seconds = std::max<int64_t>(
      1, absl::ToInt64Seconds(absl::Ceil(timeout, absl::Seconds(1))));
  if (absl::StartsWith(url, "postgres://") ||
      absl::StartsWith(url, "postgresql://")) {
    return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?",
                        "connect_timeout=", seconds);
  }
  return absl::StrCat(url, " connect_timeout=", seconds);
}

}  // namespace smartshop
