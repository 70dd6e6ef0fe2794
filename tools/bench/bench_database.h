// The benchmark's own view of the tracking database: resetting the
// interactions table between phases, counting what landed, and the raw COPY
// baseline that the service's ingest paths are measured against.
#ifndef SMARTSHOP_TOOLS_BENCH_BENCH_DATABASE_H_
#define SMARTSHOP_TOOLS_BENCH_BENCH_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "pqxx/pqxx"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::bench {

class BenchDatabase {
 public:
  // UNAVAILABLE when `url` cannot be reached.
  static absl::StatusOr<std::unique_ptr<BenchDatabase>> Connect(
      const std::string& url);

  // Empties `interactions` (keeping its indexes), then checkpoints so that
  // the previous phase's dirty pages are not flushed on the next phase's
  // time. The checkpoint needs superuser or pg_checkpoint; without it the
  // reset still succeeds and `checkpointed` says false.
  absl::Status Reset(bool* checkpointed);

  absl::StatusOr<int64_t> CountInteractions();

  // Bytes `interactions` takes on disk: heap, TOAST and indexes, of every
  // partition when it is partitioned (pg_total_relation_size).
  absl::StatusOr<int64_t> InteractionsBytes();

  // COPY of `events` into `interactions`, in one committed transaction, with
  // the same columns and NULL/default conventions as PgInteractionStore.
  // Returns the wall time from BEGIN to the end of COMMIT.
  // REQUIRES: every event passed FindViolation.
  absl::StatusOr<absl::Duration> CopyIn(
      absl::Span<const smartshop::v1::Interaction> events);

 private:
  explicit BenchDatabase(std::unique_ptr<pqxx::connection> conn)
      : conn_(std::move(conn)) {}

  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_BENCH_DATABASE_H_
