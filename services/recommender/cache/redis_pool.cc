#include "services/recommender/cache/redis_pool.h"

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/json_log.h"

namespace smartshop::recommender {
namespace {

// hiredis treats a zero timeval as "no timeout", so never hand it one.
constexpr absl::Duration kMinTimeout = absl::Milliseconds(1);

// Error replies that mean "the server cannot serve right now" rather than
// "this command is wrong".
absl::Status ReplyError(absl::string_view command, absl::string_view text) {
  const std::string message = absl::StrCat("redis ", command, ": ", text);
  const absl::string_view code = text.substr(0, text.find(' '));
  for (absl::string_view transient :
       {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "READONLY",
        "NOAUTH", "WRONGPASS", "NOREPLICAS"}) {
    if (code == transient) return absl::UnavailableError(message);
  }
  if (code == "OOM") return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

}  // namespace

absl::StatusOr<RedisReply> RedisSession::Command(
    absl::Span<const absl::string_view> args) {
  const absl::string_view name = args.empty() ? "" : args[0];
  if (failure_ != Failure::kNone) {
    return absl::UnavailableError(absl::StrCat(
        "redis ", name, ": connection already broken: ", failure_message_));
  }
  const absl::Duration remaining = deadline_ - absl::Now();
  if (remaining <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        absl::StrCat("redis ", name, ": deadline passed before sending"));
  }
  const bool cut_short = remaining < command_timeout_;
  // SO_RCVTIMEO bounds each read(), not the whole reply; replies here are a
  // few kilobytes, so one read is the common case.
  const absl::Duration timeout =
      std::max(kMinTimeout, std::min(command_timeout_, remaining));
  if (redisSetTimeout(context_, absl::ToTimeval(timeout)) != REDIS_OK) {
    failure_ = Failure::kIo;
    failure_message_ =
        absl::StrCat("redis ", name, ": setting timeout: ", context_->errstr);
    return absl::UnavailableError(failure_message_);
  }

  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (absl::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  ++commands_sent_;
  const absl::Time sent = absl::Now();
  errno = 0;
  void* raw = redisCommandArgv(context_, static_cast<int>(args.size()),
                               argv.data(), lengths.data());
  const int error_number = errno;
  if (raw == nullptr) {
    // A blocking hiredis context reports an expired SO_RCVTIMEO/SO_SNDTIMEO
    // as an I/O error whose errno is EAGAIN.
    if (context_->err == REDIS_ERR_IO &&
        (error_number == EAGAIN || error_number == EWOULDBLOCK)) {
      failure_ = cut_short ? Failure::kCallerDeadline : Failure::kTimeout;
      waited_ = absl::Now() - sent;
      failure_message_ = absl::StrCat("redis ", name, ": no reply within ",
                                      absl::FormatDuration(timeout));
      return absl::DeadlineExceededError(failure_message_);
    }
    failure_ = Failure::kIo;
    failure_message_ = absl::StrCat(
        "redis ", name, ": ",
        context_->errstr[0] != '\0' ? context_->errstr : "I/O error");
    return absl::UnavailableError(failure_message_);
  }
  RedisReply reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    const absl::string_view text(reply->str, reply->len);
    if (absl::StartsWith(text, "READONLY")) {
      // A demoted primary: this connection leads nowhere useful any more.
      failure_ = Failure::kIo;
      failure_message_ = absl::StrCat("redis ", name, ": ", text);
    }
    return ReplyError(name, text);
  }
  return reply;
}

RedisPool::RedisPool(RedisAddress address, RedisCacheOptions options)
    : address_(std::move(address)),
      options_(std::move(options)),
      description_(DescribeRedisAddress(address_)),
      sentinels_(address_.sentinels.empty()
                     ? nullptr
                     : std::make_unique<SentinelResolver>(
                           address_.sentinels, address_.master_name,
                           options_.connect_timeout)),
      breaker_({.timeouts = options_.breaker_timeouts,
                .min_wait = options_.breaker_min_wait,
                .backoff = options_.breaker_backoff}) {
  if (sentinels_ == nullptr) {
    primary_ = {.host = address_.host, .port = address_.port};
  }
}

RedisPool::~RedisPool() = default;

absl::Status RedisPool::Run(
    absl::Time deadline, absl::FunctionRef<absl::Status(RedisSession&)> work) {
  if (absl::Now() >= deadline) {
    return absl::DeadlineExceededError("deadline passed before the redis call");
  }
  if (absl::Status admitted = breaker_.Admit(); !admitted.ok()) {
    return admitted;
  }
  RedisCallEnd end = RedisCallEnd::kNoVerdict;
  absl::Duration waited;
  absl::Status status = RunAdmitted(deadline, work, end, waited);
  OnBreakerChange(breaker_.Report(end, waited), status.message());
  return status;
}

absl::Status RedisPool::RunAdmitted(
    absl::Time deadline, absl::FunctionRef<absl::Status(RedisSession&)> work,
    RedisCallEnd& end, absl::Duration& waited) {
  for (int attempt = 0;; ++attempt) {
    end = RedisCallEnd::kNoVerdict;
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          "deadline passed before the redis call");
    }
    bool connect_timed_out = false;
    const absl::Time acquiring = absl::Now();
    absl::StatusOr<Lease> lease = Acquire(deadline, connect_timed_out);
    if (!lease.ok()) {
      if (connect_timed_out) {
        end = RedisCallEnd::kCutShort;
        waited = absl::Now() - acquiring;
      }
      return lease.status();
    }
    RedisSession session(lease->context.get(), deadline,
                         options_.command_timeout);
    absl::Status status = work(session);
    switch (session.failure_) {
      case RedisSession::Failure::kNone:
        if (session.commands_sent_ > 0) end = RedisCallEnd::kReplied;
        break;
      case RedisSession::Failure::kTimeout:
        end = RedisCallEnd::kTimedOut;
        break;
      case RedisSession::Failure::kCallerDeadline:
        end = RedisCallEnd::kCutShort;
        waited = session.waited_;
        break;
      case RedisSession::Failure::kIo:
        break;  // the reconnect backoff's business
    }
    // A server restart closes every idle connection, and only the first
    // command on one finds out. Hiding that from the caller (instead of
    // failing and backing off while the server is in fact up) costs one
    // fresh connect.
    const bool retry = attempt == 0 && lease->reused &&
                       session.failure_ == RedisSession::Failure::kIo &&
                       session.commands_sent_ == 1;
    Release(std::move(lease->context), lease->generation, session, retry);
    if (!retry) return status;
  }
}

absl::StatusOr<RedisPool::Lease> RedisPool::Acquire(absl::Time deadline,
                                                    bool& connect_timed_out) {
  if (sentinels_ != nullptr) RecheckPrimaryIfDue(deadline);
  bool probe = false;
  {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !idle_.empty() || in_use_ < options_.pool_size || down_;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&ready), deadline)) {
      return absl::DeadlineExceededError(
          absl::StrCat("no free redis connection (pool of ", options_.pool_size,
                       ") before the deadline"));
    }
    if (!idle_.empty()) {
      ++in_use_;
      Lease lease{std::move(idle_.back()), /*reused=*/true,
                  primary_generation_};
      idle_.pop_back();
      return lease;
    }
    if (down_) {
      const absl::Time now = absl::Now();
      if (now < retry_at_ || probing_ || in_use_ >= options_.pool_size) {
        return absl::UnavailableError(
            absl::StrCat("redis ", description_, " is down (", last_error_,
                         "); next connect attempt in ",
                         absl::FormatDuration(absl::Trunc(
                             std::max(absl::ZeroDuration(), retry_at_ - now),
                             absl::Milliseconds(1)))));
      }
      probing_ = probe = true;
    }
    ++in_use_;
  }

  // Connect outside the lock: it can take up to connect_timeout.
  bool cut_short = false;
  int64_t generation = 0;
  absl::StatusOr<Context> context =
      Connect(deadline, cut_short, connect_timed_out, generation);
  Transition transition = Transition::kNone;
  absl::Duration down_for;
  {
    absl::MutexLock lock(&mu_);
    if (probe) probing_ = false;
    if (!context.ok()) {
      --in_use_;
      if (!cut_short) transition = MarkDown(context.status().message());
    } else {
      transition = MarkUp(down_for);
    }
  }
  LogTransition(transition, context.status().message(), down_for);
  if (!context.ok()) return context.status();
  return Lease{std::move(*context), /*reused=*/false, generation};
}

absl::StatusOr<RedisEndpoint> RedisPool::Target(absl::Time deadline,
                                                int64_t& generation) {
  if (sentinels_ == nullptr) {
    absl::MutexLock lock(&mu_);
    generation = primary_generation_;
    return primary_;
  }
  absl::StatusOr<RedisEndpoint> primary = sentinels_->Primary(deadline);
  if (!primary.ok()) return primary.status();
  generation = AdoptPrimary(*primary);
  return primary;
}

void RedisPool::RecheckPrimaryIfDue(absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    // While down, the next connect asks anyway.
    if (rechecking_ || down_ || now < recheck_at_) return;
    rechecking_ = true;
    recheck_at_ = now + options_.sentinel_check_interval;
  }
  // Bounded like a connect; a caller with less time left asks for less.
  absl::StatusOr<RedisEndpoint> primary = sentinels_->Primary(
      std::min(deadline, absl::Now() + options_.connect_timeout));
  {
    absl::MutexLock lock(&mu_);
    rechecking_ = false;
  }
  // Sentinels out of reach say nothing about the primary: keep using it.
  if (primary.ok()) AdoptPrimary(*primary);
}

int64_t RedisPool::AdoptPrimary(const RedisEndpoint& primary) {
  RedisEndpoint from;
  int64_t generation = 0;
  {
    absl::MutexLock lock(&mu_);
    if (primary == primary_) return primary_generation_;
    from = std::exchange(primary_, primary);
    generation = ++primary_generation_;
    idle_.clear();
  }
  Log(LogLevel::kWarning, "redis_primary_moved",
      {{"address", absl::string_view(description_)},
       {"from",
        from.host.empty() ? std::string("none") : DescribeRedisEndpoint(from)},
       {"to", DescribeRedisEndpoint(primary)}});
  return generation;
}

absl::StatusOr<RedisPool::Context> RedisPool::Connect(absl::Time deadline,
                                                      bool& cut_short,
                                                      bool& timed_out,
                                                      int64_t& generation) {
  connect_attempts_.fetch_add(1, std::memory_order_relaxed);
  const absl::Time start = absl::Now();
  if (deadline - start <= absl::ZeroDuration()) {
    cut_short = true;
    return absl::DeadlineExceededError(
        "deadline passed before connecting to redis");
  }
  // Asking the sentinels shares the connect budget.
  absl::StatusOr<RedisEndpoint> target =
      Target(std::min(deadline, start + options_.connect_timeout), generation);
  if (!target.ok()) {
    cut_short = target.status().code() == absl::StatusCode::kDeadlineExceeded &&
                deadline < start + options_.connect_timeout;
    return absl::Status(
        target.status().code(),
        absl::StrCat("redis ", description_, ": ", target.status().message()));
  }
  const absl::Duration remaining = deadline - absl::Now();
  const absl::Duration timeout =
      std::max(kMinTimeout, std::min(options_.connect_timeout, remaining));
  errno = 0;
  Context context(redisConnectWithTimeout(target->host.c_str(), target->port,
                                          absl::ToTimeval(timeout)));
  const int error_number = errno;
  if (context == nullptr) {
    return absl::UnavailableError(
        absl::StrCat("redis ", description_, ": cannot allocate a connection"));
  }
  if (context->err != 0) {
    const std::string message =
        absl::StrCat("redis ", description_, ": connect: ", context->errstr);
    timed_out = error_number == ETIMEDOUT ||
                absl::StrContains(context->errstr, "timed out");
    if (timed_out && remaining < options_.connect_timeout) {
      cut_short = true;
      return absl::DeadlineExceededError(message);
    }
    return absl::UnavailableError(message);
  }
  // Lets the kernel notice a peer that vanished without closing (a killed
  // VM, a dropped NAT entry) while the connection sits idle.
  redisEnableKeepAlive(context.get());

  // AUTH and SELECT share the connect budget.
  RedisSession session(context.get(),
                       std::min(deadline, start + options_.connect_timeout),
                       options_.command_timeout);
  if (!options_.password.empty()) {
    absl::StatusOr<RedisReply> reply =
        session.Command({"AUTH", options_.password});
    if (!reply.ok()) {
      timed_out = reply.status().code() == absl::StatusCode::kDeadlineExceeded;
      return absl::UnavailableError(
          absl::StrCat(reply.status().message(), " (", description_, ")"));
    }
  }
  if (address_.db != 0) {
    const std::string db = absl::StrCat(address_.db);
    absl::StatusOr<RedisReply> reply = session.Command({"SELECT", db});
    if (!reply.ok()) {
      timed_out = reply.status().code() == absl::StatusCode::kDeadlineExceeded;
      return absl::UnavailableError(
          absl::StrCat(reply.status().message(), " (", description_, ")"));
    }
  }
  if (sentinels_ != nullptr) {
    // Sentinel's word may be a moment old: during a failover the server it
    // named can already be a replica. Clients are to ask the server itself.
    absl::StatusOr<RedisReply> reply = session.Command({"ROLE"});
    if (!reply.ok()) {
      timed_out = reply.status().code() == absl::StatusCode::kDeadlineExceeded;
      return absl::UnavailableError(
          absl::StrCat(reply.status().message(), " (", description_, ")"));
    }
    const redisReply* role = reply->get();
    if (role->type != REDIS_REPLY_ARRAY || role->elements == 0 ||
        role->element[0]->type != REDIS_REPLY_STRING ||
        absl::string_view(role->element[0]->str, role->element[0]->len) !=
            "master") {
      return absl::UnavailableError(absl::StrCat(
          "redis ", DescribeRedisEndpoint(*target), " (", description_,
          "): not the primary (yet); failover under way"));
    }
  }
  return context;
}

void RedisPool::Release(Context context, int64_t generation,
                        const RedisSession& session, bool will_retry) {
  Transition transition = Transition::kNone;
  absl::Duration down_for;
  {
    absl::MutexLock lock(&mu_);
    --in_use_;
    switch (session.failure_) {
      case RedisSession::Failure::kNone:
        // A connection to a primary that has since moved is closed.
        if (generation == primary_generation_) {
          idle_.push_back(std::move(context));
        }
        transition = MarkUp(down_for);
        break;
      case RedisSession::Failure::kCallerDeadline:
        // Dropped (a late reply would be read as the next command's), but
        // the server was only asked to be faster than it promised.
        break;
      case RedisSession::Failure::kTimeout:
      case RedisSession::Failure::kIo:
        if (will_retry) {
          // The other idle connections predate the restart too.
          idle_.clear();
        } else {
          transition = MarkDown(session.failure_message_);
        }
        break;
    }
  }
  LogTransition(transition, session.failure_message_, down_for);
}

RedisPool::Transition RedisPool::MarkDown(absl::string_view cause) {
  // Idle connections to a server that fails are as good as broken; making
  // the next caller find out costs it a timeout.
  idle_.clear();
  const absl::Time now = absl::Now();
  retry_at_ = now + options_.reconnect_backoff;
  last_error_ = std::string(cause);
  if (down_) return Transition::kNone;
  down_ = true;
  down_since_ = now;
  return Transition::kWentDown;
}

RedisPool::Transition RedisPool::MarkUp(absl::Duration& down_for) {
  if (!down_) return Transition::kNone;
  down_ = false;
  down_for = absl::Now() - down_since_;
  return Transition::kCameUp;
}

void RedisPool::LogTransition(Transition transition, absl::string_view cause,
                              absl::Duration down_for) {
  switch (transition) {
    case Transition::kNone:
      return;
    case Transition::kWentDown:
      Log(LogLevel::kWarning, "redis_down",
          {{"address", absl::string_view(description_)},
           {"error", cause},
           {"retry_after_ms",
            absl::ToInt64Milliseconds(options_.reconnect_backoff)}});
      return;
    case Transition::kCameUp:
      Log(LogLevel::kInfo, "redis_up",
          {{"address", absl::string_view(description_)},
           {"down_ms", absl::ToInt64Milliseconds(down_for)}});
      return;
  }
}

void RedisPool::OnBreakerChange(const RedisBreaker::Change& change,
                                absl::string_view cause) {
  switch (change.kind) {
    case RedisBreaker::Change::kNone:
      return;
    case RedisBreaker::Change::kOpened: {
      // A connection that sat through the hang may be as stuck as the
      // server was (a partition); a fresh one costs one round trip.
      absl::MutexLock lock(&mu_);
      idle_.clear();
    }
      Log(LogLevel::kWarning, "redis_paused",
          {{"address", absl::string_view(description_)},
           {"timeouts_in_a_row", int64_t{change.timeouts}},
           {"error", cause},
           {"retry_after_ms",
            absl::ToInt64Milliseconds(options_.breaker_backoff)}});
      return;
    case RedisBreaker::Change::kClosed:
      Log(LogLevel::kInfo, "redis_resumed",
          {{"address", absl::string_view(description_)},
           {"paused_ms", absl::ToInt64Milliseconds(change.paused_for)},
           {"calls_refused", change.refused}});
      return;
  }
}

}  // namespace smartshop::recommender
