// Host name resolution that a caller can abandon at its deadline.
// getaddrinfo cannot be interrupted, so lookups run on a thread owned by
// the resolver and a caller whose deadline passes simply stops waiting.
// Answers are cached, so most calls never wait at all; IP literals are
// never looked up.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_DEADLINE_RESOLVER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_DEADLINE_RESOLVER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"

namespace smartshop::recommender::openai_internal {

// Thread-safe.
class DeadlineResolver {
 public:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;

  DeadlineResolver(std::string host, uint16_t port, absl::Duration cache_ttl);
  // May wait for a lookup in flight: getaddrinfo cannot be cancelled.
  ~DeadlineResolver();
  DeadlineResolver(const DeadlineResolver&) = delete;
  DeadlineResolver& operator=(const DeadlineResolver&) = delete;

  // The host's addresses. DEADLINE_EXCEEDED when no answer by `deadline`;
  // UNAVAILABLE when the name does not resolve. Concurrent callers share one
  // lookup.
  absl::StatusOr<Endpoints> Resolve(absl::Time deadline);

 private:
  void StartLookup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string host_;
  const uint16_t port_;
  const absl::Duration cache_ttl_;
  // Set when host_ is an IP literal: then nothing is ever looked up.
  std::optional<Endpoints> literal_;

  absl::Mutex mu_;
  absl::CondVar answered_;
  Endpoints cached_ ABSL_GUARDED_BY(mu_);
  absl::Time cached_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
  bool in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // Bumped by every finished lookup; waiters compare it to know theirs is in.
  uint64_t answers_ ABSL_GUARDED_BY(mu_) = 0;

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::resolver resolver_;  // used on thread_ only
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type>
      work_;
  std::thread thread_;
};

}  // namespace smartshop::recommender::openai_internal

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_OPENAI_DEADLINE_RESOLVER_H_
