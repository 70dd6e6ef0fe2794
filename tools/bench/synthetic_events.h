// Realistic synthetic shop interactions for the benchmarks: a skewed mix of
// types, returning users and anonymous sessions, popular and long-tail
// products, and the metadata a web shop sends (urls, user agent, ip, a small
// extra_data object). Deterministic for a given seed, so that runs compare.
#ifndef SMARTSHOP_TOOLS_BENCH_SYNTHETIC_EVENTS_H_
#define SMARTSHOP_TOOLS_BENCH_SYNTHETIC_EVENTS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::bench {

// The shop whose traffic is generated. The defaults are the ingest
// benchmark's week of traffic; the shop-scale benchmark asks for a bigger
// catalog, months of history and long-tailed activity.
struct EventShape {
  int users = 5'000;
  // Product ids are 1..products, the lowest the most popular (a few hot
  // products, a long tail); product p is in category p % categories + 1.
  int products = 20'000;
  int categories = 200;
  // Timestamps are spread uniformly over this long before `now`.
  absl::Duration history = absl::Hours(7 * 24);
  // 0: users are equally active and sessions are drawn at random. > 0: the
  // Zipf exponent of user activity (user-1 the most active) and of anonymous
  // sessions (`anonymous_sessions` of them), and a user's events of one day
  // share a session, as a shop's visits do.
  double activity_skew = 0;
  int anonymous_sessions = 100'000;
};

class EventGenerator;

// A stream of events of one shape: the same seed gives the same events, so
// a benchmark can produce millions in slices instead of holding them all.
class SyntheticEvents {
 public:
  SyntheticEvents(const EventShape& shape, uint64_t seed, absl::Time now);
  ~SyntheticEvents();

  // The next `count` events, with client-chosen event ids. Fails if any
  // breaks the tracking contract at `now`: a benchmark of rejected events
  // measures nothing.
  absl::StatusOr<std::vector<smartshop::v1::Interaction>> Next(int count);

 private:
  std::unique_ptr<EventGenerator> generator_;
  absl::Time now_;
  int64_t generated_ = 0;
};

// The first `count` events of the default shape (so every phase writes the
// same rows): timestamps in the week before `now`.
absl::StatusOr<std::vector<smartshop::v1::Interaction>> GenerateEvents(
    int count, uint64_t seed, absl::Time now);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_SYNTHETIC_EVENTS_H_
