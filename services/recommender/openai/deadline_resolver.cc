#include "services/recommender/openai/deadline_resolver.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "boost/asio/post.hpp"

namespace smartshop::recommender::openai_internal {

namespace net = boost::asio;
using tcp = net::ip::tcp;

DeadlineResolver::DeadlineResolver(std::string host, uint16_t port,
                                   absl::Duration cache_ttl)
    : host_(std::move(host)),
      port_(port),
      cache_ttl_(cache_ttl),
      resolver_(ioc_),
      work_(net::make_work_guard(ioc_)) {
  boost::system::error_code ec;
  net::ip::address address = net::ip::make_address(host_, ec);
  if (!ec) {
    literal_ = Endpoints{tcp::endpoint(address, port_)};
  } else {
    // Only names need the thread; it idles in run() between lookups.
    thread_ = std::thread([this] { ioc_.run(); });
  }
}

DeadlineResolver::~DeadlineResolver() {
  work_.reset();
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<DeadlineResolver::Endpoints> DeadlineResolver::Resolve(
    absl::Time deadline) {
  if (literal_) return *literal_;
  absl::MutexLock lock(&mu_);
  if (!cached_.empty() && absl::Now() < cached_until_) return cached_;
  if (!in_flight_) StartLookup();
  const uint64_t seen = answers_;
  while (answers_ == seen) {
    if (answered_.WaitWithDeadline(&mu_, deadline) && answers_ == seen) {
      return absl::DeadlineExceededError(
          absl::StrCat("deadline exceeded resolving ", host_));
    }
  }
  if (!last_error_.ok()) return last_error_;
  return cached_;
}

void DeadlineResolver::StartLookup() {
  in_flight_ = true;
  net::post(ioc_, [this] {
    resolver_.async_resolve(
        host_, std::to_string(port_),
        [this](boost::system::error_code ec,
               tcp::resolver::results_type results) {
          absl::MutexLock lock(&mu_);
          in_flight_ = false;
          ++answers_;
          if (ec || results.empty()) {
            // Not cached: the next call asks again.
            last_error_ = absl::UnavailableError(
                absl::StrCat("cannot resolve ", host_, ": ",
                             ec ? ec.message() : std::string("no addresses")));
          } else {
            last_error_ = absl::OkStatus();
            cached_.assign(results.begin(), results.end());
            cached_until_ = absl::Now() + cache_ttl_;
          }
          answered_.SignalAll();
        });
  });
}

}  // namespace smartshop::recommender::openai_internal
