// Idle keep-alive connections of the OpenAI client, so that a call skips
// the TCP and TLS handshakes (two or three round trips) when an earlier
// call left a connection open.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_CONNECTION_POOL_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_CONNECTION_POOL_H_

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/recommender/openai/tls_connection.h"

namespace smartshop::recommender::openai_internal {

// Thread-safe. Connections are handed out exclusively: a taken connection
// belongs to the caller until it is put back.
class ConnectionPool {
 public:
  ConnectionPool(int max_idle, absl::Duration idle_timeout);
  // Closes the idle connections with a TLS close_notify each.
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // The most recently used idle connection younger than the idle timeout,
  // or nullptr. It may still have been closed by the server meanwhile.
  std::unique_ptr<TlsConnection> Take();

  // Keeps `connection`, which just finished a request cleanly, for reuse;
  // drops it when the pool is full.
  void Put(std::unique_ptr<TlsConnection> connection);

  int idle_count() const;

 private:
  const int max_idle_;
  const Clock::duration idle_timeout_;
  mutable absl::Mutex mu_;
  // Oldest first; Take() pops from the back.
  std::vector<std::unique_ptr<TlsConnection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace smartshop::recommender::openai_internal

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_CONNECTION_POOL_H_
