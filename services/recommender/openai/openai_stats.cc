#include "services/recommender/openai/openai_stats.h"

namespace smartshop::recommender {

void OpenAiStats::RecordCall(const absl::Status& status, int64_t prompt_tokens,
                             int64_t cached_prompt_tokens,
                             int64_t completion_tokens, double cost_usd,
                             absl::Duration latency) {
  absl::MutexLock lock(&mu_);
  totals_.last_latency = latency;
  switch (status.code()) {
    case absl::StatusCode::kOk:
      ++totals_.ok;
      totals_.prompt_tokens += prompt_tokens;
      totals_.cached_prompt_tokens += cached_prompt_tokens;
      totals_.completion_tokens += completion_tokens;
      totals_.estimated_cost_usd += cost_usd;
      return;
    case absl::StatusCode::kUnauthenticated:
      ++totals_.unauthenticated;
      return;
    case absl::StatusCode::kPermissionDenied:
      ++totals_.permission_denied;
      return;
    case absl::StatusCode::kResourceExhausted:
      ++totals_.resource_exhausted;
      return;
    case absl::StatusCode::kUnavailable:
      ++totals_.unavailable;
      return;
    case absl::StatusCode::kDeadlineExceeded:
      ++totals_.deadline_exceeded;
      return;
    case absl::StatusCode::kDataLoss:
      ++totals_.data_loss;
      return;
    case absl::StatusCode::kFailedPrecondition:
      ++totals_.failed_precondition;
      return;
    default:
      ++totals_.other;
      return;
  }
}

void OpenAiStats::RecordStructuredFallback() {
  absl::MutexLock lock(&mu_);
  ++totals_.structured_fallbacks;
}

void OpenAiStats::RecordRequestSent(bool is_retry) {
  absl::MutexLock lock(&mu_);
  ++totals_.http_requests;
  if (is_retry) ++totals_.retries;
}

void OpenAiStats::RecordConnection(bool reused) {
  absl::MutexLock lock(&mu_);
  ++(reused ? totals_.connections_reused : totals_.connections_opened);
}

OpenAiStatsSnapshot OpenAiStats::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return totals_;
}

}  // namespace smartshop::recommender
