// Running totals of the OpenAI client (outcomes, tokens, cost, latency), for
// the service to read and, later, to export as metrics.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_STATS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_STATS_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace smartshop::recommender {

struct OpenAiStatsSnapshot {
  // Complete() calls by outcome (the status code each one returned).
  int64_t ok = 0;
  int64_t unauthenticated = 0;     // 401
  int64_t permission_denied = 0;   // 403
  int64_t resource_exhausted = 0;  // 429 that could not wait
  int64_t unavailable = 0;         // network, TLS, 5xx
  int64_t deadline_exceeded = 0;
  int64_t data_loss = 0;            // reply of the wrong shape
  int64_t failed_precondition = 0;  // no key configured
  int64_t other = 0;                // e.g. an unexpected 4xx
  // HTTP requests written (retries included) and the retries among them.
  int64_t http_requests = 0;
  int64_t retries = 0;
  // New TLS connections, and requests that went over a kept-alive one.
  int64_t connections_opened = 0;
  int64_t connections_reused = 0;
  // Requests sent again without response_format after the server rejected
  // it (at most one per process, see OpenAiClient).
  int64_t structured_fallbacks = 0;
  // Successful calls only.
  int64_t prompt_tokens = 0;
  int64_t cached_prompt_tokens = 0;  // part of prompt_tokens
  int64_t completion_tokens = 0;
  double estimated_cost_usd = 0;
  // Wall time of the most recent Complete(), whatever its outcome.
  absl::Duration last_latency = absl::ZeroDuration();
};

// Thread-safe.
class OpenAiStats {
 public:
  // One finished Complete() call. Tokens and cost count only when `status`
  // is OK.
  void RecordCall(const absl::Status& status, int64_t prompt_tokens,
                  int64_t cached_prompt_tokens, int64_t completion_tokens,
                  double cost_usd, absl::Duration latency);
  void RecordStructuredFallback();
  void RecordRequestSent(bool is_retry);
  void RecordConnection(bool reused);

  OpenAiStatsSnapshot Snapshot() const;

 private:
  mutable absl::Mutex mu_;
  OpenAiStatsSnapshot totals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_OPENAI_STATS_H_
