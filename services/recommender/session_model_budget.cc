#include "services/recommender/session_model_budget.h"

namespace smartshop::recommender {

bool SessionModelBudget::TryTake(const std::string& session, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = spent_.find(session);
  if (it == spent_.end()) {
    if (spent_.size() >= options_.max_sessions) {
      // Sessions past their interval have nothing left to remember but
      // their count, which only matters within a session's life: a shop's
      // sessions are shorter than a day.
      const absl::Time forget_before = now - absl::Hours(24);
      absl::erase_if(spent_, [&](const auto& entry) {
        return entry.second.last_call < forget_before;
      });
      if (spent_.size() >= options_.max_sessions) return false;
    }
    it = spent_.emplace(session, Spent{now, 0}).first;
  } else if (it->second.calls >= options_.max_calls ||
             now - it->second.last_call < options_.min_interval) {
    return false;
  }
  it->second.last_call = now;
  ++it->second.calls;
  return true;
}

size_t SessionModelBudget::sessions() const {
  absl::MutexLock lock(&mu_);
  return spent_.size();
}

}  // namespace smartshop::recommender
