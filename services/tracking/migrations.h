// Versioned schema migrations (migrations/NNNN_name.sql, embedded at build
// time), applied in order inside one transaction under an advisory lock, and
// recorded in schema_migrations: safe to run twice and from several replicas
// at once.
#ifndef SMARTSHOP_SERVICES_TRACKING_MIGRATIONS_H_
#define SMARTSHOP_SERVICES_TRACKING_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/embedded_file.h"
#include "common/pg_pool.h"

namespace smartshop::tracking {

// The migrations/NNNN_name.sql files compiled into this binary, sorted by
// file name.
const std::vector<EmbeddedFile>& EmbeddedMigrations();

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Parses file names into versions. INVALID_ARGUMENT for a name not of the
// form NNNN_name.sql or versions that are not 1, 2, 3, ... in order.
absl::StatusOr<std::vector<Migration>> ParseMigrations(
    const std::vector<EmbeddedFile>& files);

// Applies the migrations not yet recorded. Returns how many were applied.
absl::StatusOr<int> ApplyMigrations(PgPool& pool,
                                    const std::vector<Migration>& migrations,
                                    absl::Time deadline);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_MIGRATIONS_H_
