#include "services/recommender/openai/log_throttle.h"

namespace smartshop::recommender {

bool LogThrottle::Admit(absl::string_view key, absl::Time now,
                        int64_t* suppressed) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = states_.try_emplace(key);
  State& state = it->second;
  if (!inserted && now - state.last_logged < interval_) {
    ++state.suppressed;
    return false;
  }
  *suppressed = state.suppressed;
  state.suppressed = 0;
  state.last_logged = now;
  return true;
}

}  // namespace smartshop::recommender
