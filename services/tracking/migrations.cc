#include "services/tracking/migrations.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace smartshop::tracking {
namespace {

// Any constant shared by all replicas; "smartshp" in ASCII.
constexpr int64_t kMigrationLockKey = 0x736d61727473687;

}  // namespace

absl::StatusOr<std::vector<Migration>> ParseMigrations(
    const std::vector<EmbeddedFile>& files) {
  std::vector<Migration> migrations;
  for (const EmbeddedFile& file : files) {
    absl::string_view stem = file.name;
    if (!absl::ConsumeSuffix(&stem, ".sql")) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", file.name, ": not a .sql file"));
    }
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(stem, absl::MaxSplits('_', 1));
    int version = 0;
    if (parts.first.size() != 4 || !absl::SimpleAtoi(parts.first, &version) ||
        parts.second.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", file.name, ": expected NNNN_name.sql"));
    }
    if (version != static_cast<int>(migrations.size()) + 1) {
      return absl::InvalidArgumentError(absl::StrCat("migration ", file.name,
                                                     ": expected version ",
                                                     migrations.size() + 1));
    }
    migrations.push_back({version, std::string(parts.second), file.content});
  }
  return migrations;
}

absl::StatusOr<int> ApplyMigrations(PgPool& pool,
                                    const std::vector<Migration>& migrations,
                                    absl::Time deadline) {
  int applied = 0;
  absl::Status status = pool.Run(deadline, [&](PgConnection& c) {
    applied = 0;
    pqxx::work txn(c.conn());
    SetStatementDeadline(txn, deadline);
    // Serialises concurrent replicas; released at commit or rollback.
    txn.exec(
        absl::StrCat("SELECT pg_advisory_xact_lock(", kMigrationLockKey, ")"));
    txn.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version integer PRIMARY KEY,"
        " name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    std::set<int> done;
    for (const auto& row : txn.exec("SELECT version FROM schema_migrations")) {
      done.insert(row[0].as<int>());
    }
    for (const Migration& m : migrations) {
      if (done.contains(m.version)) continue;
      txn.exec(m.sql);
      txn.exec_params(
          "INSERT INTO schema_migrations (version, name) "
          "VALUES ($1, $2)",
          m.version, m.name);
      ++applied;
    }
    txn.commit();
  });
  if (!status.ok()) return status;
  return applied;
}

}  // namespace smartshop::tracking
