// The settling job: keeps each served answer's facts (what was shown,
// clicked, carted, ordered) in served_outcomes once its attribution can no
// longer change, so that long-range insights add up stored facts instead of
// attributing months of answers again (docs/attribution.md, "Settled
// answers"). Settles in chunks of serving time, each in one transaction
// that also moves the mark (served_outcomes_settled.settled_until); one
// replica at a time (an advisory lock), the others skip.
#ifndef SMARTSHOP_SERVICES_TRACKING_PG_OUTCOME_SETTLER_H_
#define SMARTSHOP_SERVICES_TRACKING_PG_OUTCOME_SETTLER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/pg_pool.h"
#include "pqxx/pqxx"
#include "services/tracking/outcome_settlement.h"

namespace smartshop::tracking {

struct OutcomeSettlerOptions {
  // The window answers are settled with: GetInsights' default. Reads with
  // another window attribute every answer when read. A different window
  // than the stored one starts settlement over.
  absl::Duration conversion_window = absl::Hours(24);
  // Answers settle once served longer than 2 windows plus this ago.
  absl::Duration delay = kSettlementDelay;
  // Serving time settled per transaction.
  absl::Duration chunk = absl::Hours(1);
  // How often the job runs.
  absl::Duration interval = absl::Minutes(5);
  // And at most this many answers per chunk, so that a busy hour fits
  // the transaction's bound.
  int max_chunk_answers = 20'000;
  // Bound on each chunk's transaction.
  absl::Duration statement_timeout = absl::Seconds(60);
};

struct SettleProgress {
  int64_t answers = 0;  // settled this run
  int chunks = 0;
  // Every answer served before this is settled (InfinitePast: none yet).
  absl::Time settled_until = absl::InfinitePast();
  // Another replica held the job's lock: nothing done.
  bool busy = false;
};

class PgOutcomeSettler {
 public:
  // `pool` and `clock` are not owned and must outlive this.
  PgOutcomeSettler(PgPool* pool, OutcomeSettlerOptions options,
                   const Clock* clock = &Clock::Real())
      : pool_(pool), options_(options), clock_(clock) {}
  // Stops the job and waits for it.
  ~PgOutcomeSettler();

  // Runs the job every `interval` on a thread of its own, first at once.
  void Start();

  // One run: settles chunk by chunk every answer served before
  // now - 2 windows - delay. The first error stops the run (the next one
  // goes on from the mark). Storage errors as storage_error.h makes them.
  absl::StatusOr<SettleProgress> RunOnce();

 private:
  // Settles the next chunk before `horizon`; false when there is none.
  absl::StatusOr<bool> SettleChunk(absl::Time horizon,
                                   SettleProgress& progress);
  // The steps of a chunk, in its transaction. LockMark: where settlement
  // stands (InfinitePast: nothing settled), locked; nullopt when it was
  // settled with another window.
  std::optional<absl::Time> LockMark(pqxx::work& txn,
                                     const std::string& window);
  void RestartWith(pqxx::work& txn, const std::string& window);
  std::optional<absl::Time> NextAnswer(pqxx::work& txn, absl::Time from,
                                       absl::Time horizon);
  absl::Time ChunkEnd(pqxx::work& txn, absl::Time next, absl::Time horizon);
  void MakeMonths(pqxx::work& txn, absl::Time first, absl::Time to);

  PgPool* const pool_;
  const OutcomeSettlerOptions options_;
  const Clock* const clock_;
  absl::Notification stopping_;
  std::thread thread_;
};

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PG_OUTCOME_SETTLER_H_
