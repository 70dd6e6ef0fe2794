#include "services/recommender/openai/connection_pool.h"

#include <utility>

namespace smartshop::recommender::openai_internal {
namespace {

// How long closing one connection at shutdown may wait for the server's
// close_notify.
constexpr Clock::duration kShutdownBound = std::chrono::milliseconds(250);

}  // namespace

ConnectionPool::ConnectionPool(int max_idle, absl::Duration idle_timeout)
    : max_idle_(max_idle),
      idle_timeout_(absl::ToChronoNanoseconds(idle_timeout)) {}

ConnectionPool::~ConnectionPool() {
  std::vector<std::unique_ptr<TlsConnection>> idle;
  {
    absl::MutexLock lock(&mu_);
    idle.swap(idle_);
  }
  for (auto& connection : idle) connection->Shutdown(kShutdownBound);
}

std::unique_ptr<TlsConnection> ConnectionPool::Take() {
  // Expired connections are destroyed outside the lock: destruction only
  // closes the socket. No close_notify: the server has most likely closed
  // its side already, and waiting for it would delay this call.
  std::vector<std::unique_ptr<TlsConnection>> expired;
  const Clock::time_point now = Clock::now();
  absl::MutexLock lock(&mu_);
  auto first_fresh = idle_.begin();
  while (first_fresh != idle_.end() &&
         now - (*first_fresh)->idle_since() >= idle_timeout_) {
    expired.push_back(std::move(*first_fresh));
    ++first_fresh;
  }
  idle_.erase(idle_.begin(), first_fresh);
  if (idle_.empty()) return nullptr;
  std::unique_ptr<TlsConnection> taken = std::move(idle_.back());
  idle_.pop_back();
  return taken;
}

void ConnectionPool::Put(std::unique_ptr<TlsConnection> connection) {
  connection->MarkIdle();
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < max_idle_) {
    idle_.push_back(std::move(connection));
  }
  // Otherwise `connection` is destroyed (socket closed) when this returns.
}

int ConnectionPool::idle_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(idle_.size());
}

}  // namespace smartshop::recommender::openai_internal
