// Keeps a burst of identical failures from flooding the log: each kind of
// event is logged the first time, then at most once per interval, carrying
// the number of occurrences suppressed in between.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_LOG_THROTTLE_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_LOG_THROTTLE_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace smartshop::recommender {

// Thread-safe.
class LogThrottle {
 public:
  explicit LogThrottle(absl::Duration interval) : interval_(interval) {}

  // True when an occurrence of `key` at `now` should be logged; then
  // `*suppressed` is the number of occurrences of `key` dropped since the
  // last one logged. False counts this occurrence as suppressed.
  bool Admit(absl::string_view key, absl::Time now, int64_t* suppressed);

 private:
  struct State {
    absl::Time last_logged;
    int64_t suppressed = 0;
  };

  const absl::Duration interval_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, State> states_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_LOG_THROTTLE_H_
