// A bound on what the model costs: US dollars per day (UTC) and calls per
// minute. Past either, the model is not asked (ModelRanker answers "model:
// budget reached" and the chain's builtin ranker stands in).
//
// Before each call TryReserve holds the call's worst-case cost (max_tokens
// at the output price plus an estimate of the prompt); Settle replaces the
// hold by what the call cost. A call is let through only while spend and
// holds stay within the cap, so concurrent calls cannot overshoot it: only
// a call costing more than its hold can (by that difference).
//
// Shared through Redis so that every replica draws on one budget and a
// restart keeps what was spent today:
//   <prefix>spend:<YYYY-MM-DD>        nano-dollars (integer), 2-day expiry
//   <prefix>calls:<YYYY-MM-DDTHH:MM>  calls reserved that minute, 120 s expiry
// Checking and reserving is one Lua script, so two replicas cannot both take
// the last slot. Integers (nano-dollars), not INCRBYFLOAT: sums of many
// small prices stay exact, and Lua compares them exactly.
//
// Without Redis (down, paused, slow past its timeout) each replica counts
// by itself: what Redis said last plus its own spend since, or its own
// spend alone when it never heard from Redis today (just started). So a
// replica never spends more than the cap on its own (fail-safe), though
// several replicas together may while Redis is out. What was spent
// meanwhile is added to Redis by the next call that reaches it. A Redis
// call that timed out after the server ran it is counted twice then: an
// overcount, on the safe side. A replica that dies holding reservations
// leaves them counted as spent for the day, on the safe side too.
//
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_BUDGET_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <variant>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "services/recommender/cache/redis_pool.h"
#include "services/recommender/recommender_metrics.h"

namespace smartshop::recommender {

struct ModelBudgetOptions {
  // Most US dollars the model may cost per day; 0 = no cap.
  double daily_spend_cap_usd = 0;
  // Most model calls per minute (all replicas together); 0 = no cap.
  int64_t calls_per_minute_cap = 0;
  // The worst-case cost of one call, held from TryReserve to Settle (see
  // WorstCaseCallCostUsd).
  double reserve_per_call_usd = 0;
  // Days (and minutes) are counted in this zone; they start at midnight.
  absl::TimeZone zone = absl::UTCTimeZone();
  // Prefix of the Redis keys (tests use their own).
  std::string key_prefix = "smartshop:model_budget:";
  // Bound on each Redis call (a caller's earlier deadline shortens it):
  // past it the replica decides by itself.
  absl::Duration redis_timeout = absl::Milliseconds(50);
};

// INVALID_ARGUMENT naming the field unless every field is usable:
// non-negative, finite numbers.
absl::Status ValidateModelBudgetOptions(const ModelBudgetOptions& options);

// The most one call can cost: `max_tokens` of output plus
// `prompt_tokens_estimate` of input, at prices in US dollars per million
// tokens.
double WorstCaseCallCostUsd(int64_t max_tokens, int64_t prompt_tokens_estimate,
                            double input_per_million,
                            double output_per_million);

// Which cap refused a call.
enum class BudgetCap { kDailySpend, kCallsPerMinute };
// "daily_spend" or "calls_per_minute" (metric labels).
absl::string_view BudgetCapLabel(BudgetCap cap);

class ModelBudget {
 public:
  // One call's hold on the budget. Move-only; settled at 0 (released) when
  // destroyed unsettled, e.g. when the call is never made.
  class Reservation {
   public:
    Reservation(Reservation&& other) noexcept;
    Reservation& operator=(Reservation&& other) noexcept;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation();

    // What it holds: a call's worst case.
    double held_usd() const { return static_cast<double>(held_nanos_) * 1e-9; }

   private:
    friend class ModelBudget;
    Reservation(ModelBudget* budget, std::string day, int64_t held_nanos)
        : budget_(budget), day_(std::move(day)), held_nanos_(held_nanos) {}
    // Settles at 0 if still held.
    void Release();

    ModelBudget* budget_;  // null once settled or moved from
    std::string day_;      // the day it was taken on (settled on that day)
    int64_t held_nanos_;
  };

  // `pool` (may be null: this process counts alone) and `metrics` (may be
  // null) are not owned and must outlive this.
  // REQUIRES: ValidateModelBudgetOptions(options).ok().
  ModelBudget(ModelBudgetOptions options, RedisPool* pool,
              const Clock& clock = Clock::Real(),
              RecommenderMetrics* metrics = nullptr);
  ModelBudget(const ModelBudget&) = delete;
  ModelBudget& operator=(const ModelBudget&) = delete;

  // A hold for one call, or the cap that refuses it (counted in the
  // metrics). Waits for Redis until min(deadline, now + redis_timeout) at
  // most.
  std::variant<Reservation, BudgetCap> TryReserve(absl::Time deadline);

  // Replaces the hold by what the call cost (0 for a call that failed
  // before anything was billed; its hold for one that may have been billed
  // without a reply, e.g. a timeout), on the budget and the day it was taken
  // from. Bounded like TryReserve; without Redis the difference is kept and
  // added by a later call.
  void Settle(Reservation reservation, double actual_cost_usd,
              absl::Time deadline);

  // Spent (and held) today: all replicas' when Redis answers, else this
  // replica's estimate. Also sets the spend gauge.
  double SpendTodayUsd(absl::Time deadline);

  const ModelBudgetOptions& options() const { return options_; }

 private:
  struct Shared {
    bool ok = false;  // Redis answered
    int verdict = 0;  // 0 reserved, 1 daily spend cap, 2 calls cap
    int64_t spend_nanos = 0;
  };

  std::string DayOf(absl::Time now) const;
  std::string MinuteOf(absl::Time now) const;
  // Moves the local counts to the day and minute of `now`.
  void Roll(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // This replica's idea of today's spend without Redis.
  int64_t LocalSpend() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Remembers Redis's word on today's spend (for `day`).
  void Heard(const std::string& day, int64_t spend_nanos)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Shared RunReserve(const std::string& day, const std::string& minute,
                    int64_t unsynced_nanos, absl::Time deadline);
  absl::Time RedisDeadline(absl::Time deadline) const;
  // Logs when Redis starts or stops answering.
  void NoteRedis(const absl::Status& status);
  void Refused(BudgetCap cap);
  void ShowSpend(int64_t spend_nanos);

  const ModelBudgetOptions options_;
  const int64_t cap_nanos_;
  const int64_t hold_nanos_;
  RedisPool* const pool_;
  const Clock& clock_;
  RecommenderMetrics* const metrics_;
  std::atomic<bool> redis_failing_{false};

  absl::Mutex mu_;
  std::string day_ ABSL_GUARDED_BY(mu_);
  // Spent and held today by this replica.
  int64_t own_nanos_ ABSL_GUARDED_BY(mu_) = 0;
  // Today's spend changes Redis has not taken yet.
  int64_t unsynced_nanos_ ABSL_GUARDED_BY(mu_) = 0;
  // Redis's last word on today's spend, and own_nanos_ at that moment.
  bool heard_ ABSL_GUARDED_BY(mu_) = false;
  int64_t heard_nanos_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t own_at_heard_ ABSL_GUARDED_BY(mu_) = 0;
  std::string minute_ ABSL_GUARDED_BY(mu_);
  int64_t own_calls_ ABSL_GUARDED_BY(mu_) = 0;  // this minute
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_MODEL_MODEL_BUDGET_H_
