// The model-cost replay (issue 16, "measure first"): the Online Retail
// sample replayed as shop traffic, in simulated time, against the real
// RecommendationEngine under two caching policies, counting what reached the
// (in-process, fake) OpenAI endpoint and how often a shopper was shown an
// answer older than their own last event.
//
// Behaviour model (kBehaviourModel below says it to the reader): every
// invoice is a visit by its customer (a guest invoice: a visitor with the
// session "guest-<InvoiceNo>"). At the invoice's time the shopper opens the
// home page (one GetRecommendations, PLACEMENT_HOME; optionally more
// during the visit), then views, carts and orders the invoice's lines (the
// simulation's VisitEvents without clicks, so the traffic is the same whatever
// is recommended), one event every 2 s. A shopper's next visit is their next
// invoice, no earlier than a minute after their previous visit's last event.
#ifndef SMARTSHOP_TOOLS_SIM_MODEL_COST_REPLAY_H_
#define SMARTSHOP_TOOLS_SIM_MODEL_COST_REPLAY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/catalog.pb.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/sim/shop_simulation.h"

namespace smartshop::sim {

inline constexpr char kBehaviourModel[] =
    "Behaviour model: each invoice of the sample is a visit by its customer "
    "(a guest invoice: an anonymous visitor with session guest-<InvoiceNo>). "
    "At the invoice time the shopper opens the home page (one "
    "GetRecommendations), then views, carts and orders the invoice's lines, "
    "one event every 2 s; with N home page requests per visit, N-1 more "
    "are spread evenly over the visit's events, the last after the order "
    "(no clicks on recommendations: both policies see "
    "the same traffic). A customer's next visit is their next invoice, no "
    "earlier than 1 min after their previous visit's last event. Time is "
    "simulated (TTLs in sample time); the model is the in-process fake "
    "OpenAI over HTTPS.";

inline constexpr char kStaleDefinition[] =
    "Stale: a served answer whose generated_at is earlier than the "
    "shopper's (user's, or guest session's) last view, cart or order event "
    "timed strictly before the request (every such event was given to the "
    "engine before the request).";

// One step of the traffic, in time order.
struct ReplayAction {
  absl::Time at = {};
  // A home page request by `visitor` (user_id or session_key set) when
  // true, else `event`.
  bool request = false;
  smartshop::v1::Interaction visitor = {};  // user_id / session_key only
  smartshop::v1::Interaction event = {};
};

// The traffic of `invoices` (InvoicesOf) under the behaviour model, in time
// order (ties: in the order made). `home_requests_per_visit` (at least 1):
// the first at arrival, the others spread evenly over the visit's events
// (the last right after the order: the shopper back on the home page).
std::vector<ReplayAction> ReplayTraffic(absl::Span<const Invoice> invoices,
                                        int home_requests_per_visit = 1);

enum class Policy {
  // The original system's: the model ranks for everyone, anonymous visitors
  // share one key, answers cached 1 h, no invalidation by events, no
  // builtin ranker, its v1 prompt, no structured output, no reuse.
  kOriginal,
  // The service's defaults: builtin model fed with the events, live events
  // drop stale entries, sessions ranked by the builtin ranker, v2 prompt,
  // structured output auto, answer reuse when the engine has it.
  kOurs,
};
const char* PolicyName(Policy policy);

struct PolicyResult {
  std::string name;
  int64_t requests = 0;
  int64_t answers = 0;     // requests answered OK
  int64_t cache_hits = 0;  // of the answers
  int64_t stale = 0;       // of the answers, see kStaleDefinition
  std::map<std::string, int64_t> strategies = {};  // answers by strategy name
  // Model calls made while answering, by who asked: a guest, a user with
  // no event yet, a user with events before the request.
  int64_t calls_guests = 0;
  int64_t calls_new_users = 0;
  int64_t calls_returning_users = 0;
  // At the fake OpenAI.
  int64_t model_calls = 0;  // chat completion requests
  int64_t prompt_tokens = 0;
  int64_t cached_prompt_tokens = 0;  // part of prompt_tokens
  int64_t completion_tokens = 0;
  // Chat requests whose body no earlier request had: the calls left if
  // every repeated request were answered from an earlier reply (an upper
  // bound on what content-addressed reuse saves, TTLs aside).
  int64_t distinct_requests = 0;
  bool answer_reuse = false;  // compiled in and on for this policy
  // gpt-4o-mini list prices: $0.15 / $0.075 (cached) / $0.60 per 1M.
  double cost_usd() const;
};

// A what-if on top of kOurs, emulated in the traffic (the engine has no
// such option): a user with no event yet asks as an anonymous visitor
// without a session, so that new users share the one anonymous answer as
// guests did in the original.
struct WhatIf {
  bool new_users_share_anonymous = false;
  // --model_route_max_history: 0 = off.
  int route_max_history = 0;
};

// Runs `traffic` against a fresh engine (own cache, fake OpenAI, builtin
// model) under `policy`. Errors: the fake OpenAI or the client cannot be
// set up, or a request fails.
absl::StatusOr<PolicyResult> RunPolicy(
    Policy policy, absl::Span<const smartshop::v1::Product> products,
    absl::Span<const ReplayAction> traffic, WhatIf what_if = {});

// Both policies side by side, a markdown table with the ratio column
// (ours / original).
std::string MarkdownTable(const PolicyResult& original,
                          const PolicyResult& ours);

}  // namespace smartshop::sim

#endif  // SMARTSHOP_TOOLS_SIM_MODEL_COST_REPLAY_H_
