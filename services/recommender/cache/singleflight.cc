#include "services/recommender/cache/singleflight.h"

#include <memory>
#include <string>

namespace smartshop::recommender::singleflight_internal {

Group::Joined Group::Join(const std::string& key,
                          absl::FunctionRef<std::shared_ptr<CallBase>()> make) {
  absl::MutexLock lock(&mu_);
  std::shared_ptr<CallBase>& slot = calls_[key];
  const bool leader = slot == nullptr;
  if (leader) slot = make();
  ++slot->callers;
  return {slot, leader};
}

void Group::Forget(const std::string& key, const CallBase* call) {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(key);
  if (it != calls_.end() && it->second.get() == call) calls_.erase(it);
}

int Group::Callers(const std::string& key) const {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(key);
  return it == calls_.end() ? 0 : it->second->callers;
}

}  // namespace smartshop::recommender::singleflight_internal
