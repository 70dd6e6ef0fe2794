// How often an anonymous session may cost a model call, when sessions may
// use the model at all (--session_model): at most once per `min_interval`
// and `max_calls` times in all per session. Without it every page view of
// every visitor would be a paid call; the original made one call an hour
// for all anonymous visitors together.
//
// Remembers at most `max_sessions` sessions; past that, sessions it has no
// room for get no model call (the builtin ranker answers them).
// Thread-safe.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_SESSION_MODEL_BUDGET_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_SESSION_MODEL_BUDGET_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace smartshop::recommender {

struct SessionModelBudgetOptions {
  absl::Duration min_interval = absl::Minutes(10);
  int max_calls = 3;
  size_t max_sessions = 100'000;
};

class SessionModelBudget {
 public:
  explicit SessionModelBudget(SessionModelBudgetOptions options)
      : options_(options) {}

  // True (and counted) when `session` may make a model call at `now`.
  bool TryTake(const std::string& session, absl::Time now);

  size_t sessions() const;

 private:
  struct Spent {
    absl::Time last_call;
    int calls = 0;
  };
  const SessionModelBudgetOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Spent> spent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_SESSION_MODEL_BUDGET_H_
