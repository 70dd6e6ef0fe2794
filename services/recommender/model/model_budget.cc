#include "services/recommender/model/model_budget.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/json_log.h"

namespace smartshop::recommender {
namespace {

constexpr double kNanosPerUsd = 1e9;
// A day's key outlives the day, so that a call settled just after midnight
// finds its day, then goes.
constexpr absl::string_view kSpendTtlSeconds = "172800";
constexpr absl::string_view kCallsTtlSeconds = "120";

// KEYS: spend, calls. ARGV: hold, daily cap, calls cap (0 = none), spend
// made meanwhile that Redis has not taken, the two expiries in seconds.
// Returns {verdict, spend}: 0 reserved, 1 daily cap, 2 calls cap.
constexpr absl::string_view kReserveScript = R"lua(
local spend = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[4]) ~= 0 then
  spend = redis.call('INCRBY', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
end
if spend < 0 then
  spend = 0
  redis.call('SET', KEYS[1], '0', 'EX', ARGV[5])
end
local hold = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
if cap > 0 and (spend >= cap or spend + hold > cap) then return {1, spend} end
local calls_cap = tonumber(ARGV[3])
if calls_cap > 0 then
  if tonumber(redis.call('GET', KEYS[2]) or '0') >= calls_cap then
    return {2, spend}
  end
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ARGV[6])
end
spend = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {0, spend})lua";

// KEYS: spend. ARGV: the change, the expiry. Returns the new spend.
constexpr absl::string_view kSettleScript = R"lua(
local spend = redis.call('INCRBY', KEYS[1], ARGV[1])
if spend < 0 then
  spend = 0
  redis.call('SET', KEYS[1], '0')
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return spend)lua";

int64_t ToNanos(double usd) {
  return static_cast<int64_t>(std::llround(usd * kNanosPerUsd));
}
double ToUsd(int64_t nanos) {
  return static_cast<double>(nanos) / kNanosPerUsd;
}

absl::Status UnexpectedReply(absl::string_view what, int type) {
  return absl::InternalError(
      absl::StrCat("redis ", what, ": unexpected reply type ", type));
}

absl::Status NonNegative(absl::string_view field, double value) {
  if (!std::isfinite(value) || value < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " must be a non-negative finite number, got ", value));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateModelBudgetOptions(const ModelBudgetOptions& options) {
  for (const absl::Status& s :
       {NonNegative("daily_spend_cap_usd", options.daily_spend_cap_usd),
        NonNegative("reserve_per_call_usd", options.reserve_per_call_usd)}) {
    if (!s.ok()) return s;
  }
  // Nano-dollars in an int64 (and exactly in Lua's doubles): 9 million USD.
  if (options.daily_spend_cap_usd > 9e6 || options.reserve_per_call_usd > 9e6) {
    return absl::InvalidArgumentError(
        "daily_spend_cap_usd and reserve_per_call_usd must be at most 9e6");
  }
  if (options.calls_per_minute_cap < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("calls_per_minute_cap must not be negative, got ",
                     options.calls_per_minute_cap));
  }
  if (options.key_prefix.empty()) {
    return absl::InvalidArgumentError("key_prefix must not be empty");
  }
  if (options.redis_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("redis_timeout must be positive");
  }
  return absl::OkStatus();
}

double WorstCaseCallCostUsd(int64_t max_tokens, int64_t prompt_tokens_estimate,
                            double input_per_million,
                            double output_per_million) {
  return (static_cast<double>(max_tokens) * output_per_million +
          static_cast<double>(prompt_tokens_estimate) * input_per_million) /
         1e6;
}

absl::string_view BudgetCapLabel(BudgetCap cap) {
  switch (cap) {
    case BudgetCap::kDailySpend:
      return "daily_spend";
    case BudgetCap::kCallsPerMinute:
      return "calls_per_minute";
  }
  return "unknown";
}

ModelBudget::Reservation::Reservation(Reservation&& other) noexcept
    : budget_(std::exchange(other.budget_, nullptr)),
      day_(std::move(other.day_)),
      held_nanos_(other.held_nanos_) {}

ModelBudget::Reservation& ModelBudget::Reservation::operator=(
    Reservation&& other) noexcept {
  if (this != &other) {
    Release();
    budget_ = std::exchange(other.budget_, nullptr);
    day_ = std::move(other.day_);
    held_nanos_ = other.held_nanos_;
  }
  return *this;
}

ModelBudget::Reservation::~Reservation() { Release(); }

void ModelBudget::Reservation::Release() {
  ModelBudget* const budget = budget_;
  if (budget == nullptr) return;
  const absl::Time deadline = absl::Now() + budget->options_.redis_timeout;
  budget->Settle(std::move(*this), 0, deadline);
}

ModelBudget::ModelBudget(ModelBudgetOptions options, RedisPool* pool,
                         const Clock& clock, RecommenderMetrics* metrics)
    : options_(std::move(options)),
      cap_nanos_(ToNanos(options_.daily_spend_cap_usd)),
      hold_nanos_(ToNanos(options_.reserve_per_call_usd)),
      pool_(pool),
      clock_(clock),
      metrics_(metrics) {
  if (metrics_ != nullptr) {
    metrics_->SetModelBudget(options_.daily_spend_cap_usd,
                             options_.calls_per_minute_cap);
  }
}

std::string ModelBudget::DayOf(absl::Time now) const {
  return absl::FormatTime("%Y-%m-%d", now, options_.zone);
}

std::string ModelBudget::MinuteOf(absl::Time now) const {
  return absl::FormatTime("%Y-%m-%dT%H:%M", now, options_.zone);
}

void ModelBudget::Roll(absl::Time now) {
  // Forward only: a caller that read the clock before a Redis round trip
  // must not take the day (or minute) back from one that rolled it since.
  std::string day = DayOf(now);
  if (day > day_) {
    day_ = std::move(day);
    own_nanos_ = unsynced_nanos_ = 0;
    heard_ = false;
    heard_nanos_ = own_at_heard_ = 0;
  }
  std::string minute = MinuteOf(now);
  if (minute > minute_) {
    minute_ = std::move(minute);
    own_calls_ = 0;
  }
}

int64_t ModelBudget::LocalSpend() const {
  // Redis's last word plus what this replica added since; without one, this
  // replica's own spend (other replicas' is unknown: the fail-safe bound is
  // that this replica alone stays within the cap).
  if (!heard_) return own_nanos_;
  return std::max(own_nanos_, heard_nanos_ + (own_nanos_ - own_at_heard_));
}

void ModelBudget::Heard(const std::string& day, int64_t spend_nanos) {
  if (day != day_) return;
  heard_ = true;
  heard_nanos_ = spend_nanos;
  own_at_heard_ = own_nanos_;
}

absl::Time ModelBudget::RedisDeadline(absl::Time deadline) const {
  return std::min(deadline, absl::Now() + options_.redis_timeout);
}

ModelBudget::Shared ModelBudget::RunReserve(const std::string& day,
                                            const std::string& minute,
                                            int64_t unsynced_nanos,
                                            absl::Time deadline) {
  Shared shared;
  if (pool_ == nullptr) return shared;
  const std::string spend_key =
      absl::StrCat(options_.key_prefix, "spend:", day);
  const std::string calls_key =
      absl::StrCat(options_.key_prefix, "calls:", minute);
  const std::string hold = absl::StrCat(hold_nanos_);
  const std::string cap = absl::StrCat(cap_nanos_);
  const std::string calls_cap = absl::StrCat(options_.calls_per_minute_cap);
  const std::string unsynced = absl::StrCat(unsynced_nanos);
  const absl::Status status =
      pool_->Run(RedisDeadline(deadline), [&](RedisSession& session) {
        absl::StatusOr<RedisReply> reply = session.Command(
            {"EVAL", kReserveScript, "2", spend_key, calls_key, hold, cap,
             calls_cap, unsynced, kSpendTtlSeconds, kCallsTtlSeconds});
        if (!reply.ok()) return reply.status();
        const redisReply& r = **reply;
        if (r.type != REDIS_REPLY_ARRAY || r.elements != 2 ||
            r.element[0]->type != REDIS_REPLY_INTEGER ||
            r.element[1]->type != REDIS_REPLY_INTEGER) {
          return UnexpectedReply("EVAL model budget reserve", r.type);
        }
        shared.verdict = static_cast<int>(r.element[0]->integer);
        shared.spend_nanos = r.element[1]->integer;
        return absl::OkStatus();
      });
  shared.ok = status.ok();
  NoteRedis(status);
  return shared;
}

std::variant<ModelBudget::Reservation, BudgetCap> ModelBudget::TryReserve(
    absl::Time deadline) {
  const absl::Time now = clock_.Now();
  std::string day;
  std::string minute;
  int64_t unsynced = 0;
  {
    absl::MutexLock lock(&mu_);
    Roll(now);
    day = day_;
    minute = minute_;
    // Taken out while in flight; put back if Redis does not take it.
    unsynced = std::exchange(unsynced_nanos_, 0);
  }
  const Shared shared = RunReserve(day, minute, unsynced, deadline);

  std::variant<Reservation, BudgetCap> result = BudgetCap::kDailySpend;
  int64_t shown = 0;
  {
    absl::MutexLock lock(&mu_);
    Roll(now);
    const bool same_day = day == day_;
    if (shared.ok) {
      if (shared.verdict == 0) {
        if (same_day) {
          own_nanos_ += hold_nanos_;
          ++own_calls_;
        }
        result = Reservation(this, day, hold_nanos_);
      } else {
        result = shared.verdict == 1 ? BudgetCap::kDailySpend
                                     : BudgetCap::kCallsPerMinute;
      }
      Heard(day, shared.spend_nanos);
      shown = shared.spend_nanos;
    } else {
      if (same_day) unsynced_nanos_ += unsynced;
      const int64_t spend = LocalSpend();
      if (cap_nanos_ > 0 &&
          (spend >= cap_nanos_ || spend + hold_nanos_ > cap_nanos_)) {
        result = BudgetCap::kDailySpend;
      } else if (options_.calls_per_minute_cap > 0 &&
                 own_calls_ >= options_.calls_per_minute_cap) {
        result = BudgetCap::kCallsPerMinute;
      } else {
        own_nanos_ += hold_nanos_;
        unsynced_nanos_ += hold_nanos_;
        ++own_calls_;
        result = Reservation(this, day, hold_nanos_);
      }
      shown = LocalSpend();
    }
  }
  ShowSpend(shown);
  if (const BudgetCap* cap = std::get_if<BudgetCap>(&result)) Refused(*cap);
  return result;
}

void ModelBudget::Settle(Reservation reservation, double actual_cost_usd,
                         absl::Time deadline) {
  if (reservation.budget_ == nullptr) return;  // settled already
  if (reservation.budget_ != this) {
    // Another budget's hold goes back where it was taken.
    ModelBudget* const owner = reservation.budget_;
    owner->Settle(std::move(reservation), actual_cost_usd, deadline);
    return;
  }
  reservation.budget_ = nullptr;
  const int64_t delta =
      ToNanos(std::max(0.0, actual_cost_usd)) - reservation.held_nanos_;
  if (delta == 0) return;
  {
    absl::MutexLock lock(&mu_);
    Roll(clock_.Now());
    if (reservation.day_ == day_) own_nanos_ += delta;
  }
  bool synced = false;
  int64_t spend = 0;
  if (pool_ != nullptr) {
    const std::string key =
        absl::StrCat(options_.key_prefix, "spend:", reservation.day_);
    const std::string change = absl::StrCat(delta);
    const absl::Status status =
        pool_->Run(RedisDeadline(deadline), [&](RedisSession& session) {
          absl::StatusOr<RedisReply> reply = session.Command(
              {"EVAL", kSettleScript, "1", key, change, kSpendTtlSeconds});
          if (!reply.ok()) return reply.status();
          if ((*reply)->type != REDIS_REPLY_INTEGER) {
            return UnexpectedReply("EVAL model budget settle", (*reply)->type);
          }
          spend = (*reply)->integer;
          return absl::OkStatus();
        });
    synced = status.ok();
    NoteRedis(status);
  }
  int64_t shown = spend;
  {
    absl::MutexLock lock(&mu_);
    if (reservation.day_ != day_) return;  // another day's: not shown
    if (synced) {
      Heard(reservation.day_, spend);
    } else {
      unsynced_nanos_ += delta;
      shown = LocalSpend();
    }
  }
  ShowSpend(shown);
}

double ModelBudget::SpendTodayUsd(absl::Time deadline) {
  std::string day;
  {
    absl::MutexLock lock(&mu_);
    Roll(clock_.Now());
    day = day_;
  }
  bool ok = false;
  int64_t spend = 0;
  if (pool_ != nullptr) {
    const std::string key = absl::StrCat(options_.key_prefix, "spend:", day);
    ok = pool_
             ->Run(RedisDeadline(deadline),
                   [&](RedisSession& session) -> absl::Status {
                     absl::StatusOr<RedisReply> reply =
                         session.Command({"GET", key});
                     if (!reply.ok()) return reply.status();
                     const redisReply& r = **reply;
                     if (r.type == REDIS_REPLY_NIL) return absl::OkStatus();
                     if (r.type != REDIS_REPLY_STRING ||
                         !absl::SimpleAtoi(absl::string_view(r.str, r.len),
                                           &spend)) {
                       return UnexpectedReply("GET model budget", r.type);
                     }
                     return absl::OkStatus();
                   })
             .ok();
  }
  {
    absl::MutexLock lock(&mu_);
    if (ok && day == day_) {
      // Spend this replica has not handed to Redis yet counts too.
      spend = std::max<int64_t>(0, spend) + unsynced_nanos_;
    } else {
      spend = LocalSpend();
    }
  }
  ShowSpend(spend);
  return ToUsd(spend);
}

void ModelBudget::NoteRedis(const absl::Status& status) {
  // Once per change, not per call: a Redis outage would otherwise log every
  // model call.
  const bool failing = !status.ok();
  if (redis_failing_.exchange(failing, std::memory_order_relaxed) == failing) {
    return;
  }
  if (failing) {
    Log(LogLevel::kWarning, "model_budget_local",
        {{"error", status.ToString()},
         {"why", "redis unavailable: this replica counts by itself"}});
  } else {
    Log(LogLevel::kInfo, "model_budget_shared", {{"why", "redis answers"}});
  }
}

void ModelBudget::Refused(BudgetCap cap) {
  if (metrics_ != nullptr) metrics_->ModelBudgetRefused(BudgetCapLabel(cap));
}

void ModelBudget::ShowSpend(int64_t spend_nanos) {
  if (metrics_ != nullptr) metrics_->SetModelSpendToday(ToUsd(spend_nanos));
}

}  // namespace smartshop::recommender
