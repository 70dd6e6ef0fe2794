// Realistic synthetic shop interactions for the ingest benchmark: a skewed
// mix of types, returning users and anonymous sessions, popular and long-tail
// products, and the metadata a web shop sends (urls, user agent, ip, a small
// extra_data object). Deterministic for a given seed, so that runs compare.
#ifndef SMARTSHOP_TOOLS_BENCH_SYNTHETIC_EVENTS_H_
#define SMARTSHOP_TOOLS_BENCH_SYNTHETIC_EVENTS_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::bench {

// `count` events with client-chosen event ids (so every phase writes the same
// rows) and timestamps in the week before `now`. Fails if any event breaks the
// tracking contract at `now`: a benchmark of rejected events measures nothing.
absl::StatusOr<std::vector<smartshop::v1::Interaction>> GenerateEvents(
    int count, uint64_t seed, absl::Time now);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_SYNTHETIC_EVENTS_H_
