// A bounded pool of Postgres connections. The only place where libpqxx
// exceptions become absl::Status, so that stores above it deal in values.
//
// Connections are opened lazily and replaced after a broken connection, so
// the pool recovers by itself when the database comes back.
#ifndef SMARTSHOP_COMMON_PG_POOL_H_
#define SMARTSHOP_COMMON_PG_POOL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/pqxx"

namespace smartshop {

// One pooled connection and the prepared statements registered on it.
class PgConnection {
 public:
  explicit PgConnection(const std::string& conninfo);

  pqxx::connection& conn() { return conn_; }
  // Registers `sql` under `name` once per connection (libpqxx prepares it on
  // first use).
  void EnsurePrepared(const std::string& name, const std::string& sql);
  // Prepares `sql` as `name` on the server (SQL PREPARE) once per
  // connection, for statements run by SQL `EXECUTE name(...)`, which libpqxx
  // does not see. Bounded by `deadline`: preparing takes the tables' locks.
  void EnsurePreparedForExecute(const std::string& name, const std::string& sql,
                                absl::Time deadline);

 private:
  pqxx::connection conn_;
  absl::flat_hash_set<std::string> prepared_;
};

struct PgPoolOptions {
  // libpq connection string or postgresql:// URL.
  std::string url;
  // Most connections open at once.
  int size = 8;
  // Bound on establishing one connection.
  absl::Duration connect_timeout = absl::Seconds(3);
};

class PgPool {
 public:
  explicit PgPool(PgPoolOptions options);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs `work` with exclusive use of a connection. Waits for a free one
  // until `deadline`. libpqxx errors become statuses: cannot connect or
  // connection lost -> UNAVAILABLE (the connection is dropped); statement
  // timeout -> DEADLINE_EXCEEDED; commit outcome unknown -> UNAVAILABLE;
  // bad data or a violated constraint (SQLSTATE classes 22, 23) ->
  // INVALID_ARGUMENT; serialization failure -> ABORTED; other database
  // errors -> INTERNAL. Every message names the cause, in the database's
  // words: for logs, not for callers (storage_error.h).
  absl::Status Run(absl::Time deadline,
                   absl::FunctionRef<void(PgConnection&)> work);

  // SELECT 1 within `deadline`.
  absl::Status Ping(absl::Time deadline);

  int size() const { return options_.size; }
  // Connections handed out right now.
  int in_use() const;

 private:
  struct Lease {
    std::unique_ptr<PgConnection> connection;
    bool reused;  // came from idle_, so it may have gone stale
  };
  absl::StatusOr<Lease> Acquire(absl::Time deadline);
  void Release(std::unique_ptr<PgConnection> connection, bool drop_idle);

  const PgPoolOptions options_;
  const std::string conninfo_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<PgConnection>> idle_ ABSL_GUARDED_BY(mu_);
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
};

// Inside a transaction: makes the server cancel statements that would run
// past `deadline` (SET LOCAL statement_timeout).
void SetStatementDeadline(pqxx::transaction_base& txn, absl::Time deadline);
// The same as SQL, to send in one message with the statement it bounds:
// Postgres runs the statements of one message as one transaction, so the
// setting holds for them and ends with it.
std::string StatementDeadlineSql(absl::Time deadline);

// `t` as a timestamptz literal Postgres reads the same whatever its
// DateStyle: ISO 8601 with a four-digit year ("%Y" wrote year 12 as "12-...",
// which Postgres takes for 2012), UTC, exact to the microsecond (Postgres's
// resolution; finer nanos are truncated).
std::string PgTimestamp(absl::Time t);

// Adds connect_timeout to a connection string or URL unless it has one.
std::string WithConnectTimeout(absl::string_view url, absl::Duration timeout);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_PG_POOL_H_
