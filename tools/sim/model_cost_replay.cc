#include "tools/sim/model_cost_replay.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/proto_time.h"
#include "services/recommender/builtin/interaction_model.h"
#include "services/recommender/catalog_refresher.h"
#include "services/recommender/engine_options.h"
#include "services/recommender/model/prompt_builder.h"
#include "services/recommender/openai/openai_client.h"
#include "services/recommender/ranker_chain_factory.h"
#include "services/recommender/recommendation_cache.h"
#include "services/recommender/recommendation_engine.h"
#include "tests/testing/fake_recommender_deps.h"
#include "tests/testing/simulated_clock.h"
#include "tools/fake_openai/fake_openai_server.h"
#include "tools/fake_openai/self_signed_cert.h"

// Answer reuse (EngineOptions::model_answer_reuse with a ModelReplyStore)
// is compiled in when the engine has it.
#if __has_include("services/recommender/model/model_reply_store.h")
#include "services/recommender/model/model_reply_store.h"
#define SMARTSHOP_REPLAY_ANSWER_REUSE 1
#else
#define SMARTSHOP_REPLAY_ANSWER_REUSE 0
#endif

namespace smartshop::sim {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::Recommendations;

constexpr absl::Duration kEventSpacing = absl::Seconds(2);
constexpr absl::Duration kVisitGap = absl::Minutes(1);

// A RecommendationCache in memory whose entries expire on the simulated
// clock (the tests' fake records TTLs but keeps entries for ever), with the
// fences of the Redis one.
class SimulatedTtlCache : public recommender::RecommendationCache {
 public:
  explicit SimulatedTtlCache(const Clock* clock) : clock_(clock) {}

  absl::StatusOr<std::optional<Recommendations>> Get(const std::string& key,
                                                     absl::Time) override {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (clock_->Now() >= it->second.expires) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.value;
  }
  absl::Status Set(const std::string& key, const Recommendations& value,
                   absl::Duration ttl, absl::Time) override {
    absl::MutexLock lock(&mu_);
    entries_[key] = {value, clock_->Now() + ttl};
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> Delete(const std::string& key, absl::Time) override {
    absl::MutexLock lock(&mu_);
    ++key_fences_[key];
    return static_cast<int64_t>(entries_.erase(key));
  }
  absl::StatusOr<int64_t> DeletePrefix(const std::string& prefix,
                                       absl::Time) override {
    absl::MutexLock lock(&mu_);
    ++scope_fences_[prefix];
    int64_t deleted = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (absl::StartsWith(it->first, prefix)) {
        entries_.erase(it++);
        ++deleted;
      } else {
        ++it;
      }
    }
    return deleted;
  }
  absl::StatusOr<Fence> ReadFence(const std::string& key,
                                  const std::string& scope,
                                  absl::Time) override {
    absl::MutexLock lock(&mu_);
    return FenceOf(key, scope);
  }
  absl::StatusOr<bool> SetUnlessInvalidated(const std::string& key,
                                            const std::string& scope,
                                            const Recommendations& value,
                                            absl::Duration ttl,
                                            const Fence& fence,
                                            absl::Time) override {
    absl::MutexLock lock(&mu_);
    if (!(FenceOf(key, scope) == fence)) return false;
    entries_[key] = {value, clock_->Now() + ttl};
    return true;
  }

 private:
  struct Entry {
    Recommendations value;
    absl::Time expires;
  };
  Fence FenceOf(const std::string& key, const std::string& scope) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto k = key_fences_.find(key);
    auto s = scope_fences_.find(scope);
    return {k == key_fences_.end() ? 0 : k->second,
            s == scope_fences_.end() ? 0 : s->second};
  }

  const Clock* const clock_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> key_fences_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> scope_fences_ ABSL_GUARDED_BY(mu_);
};

// Whose answer it is, for staleness: the user, else the guest's session.
std::string ShopperOf(const Interaction& who) {
  return who.user_id().empty() ? absl::StrCat("s:", who.session_key())
                               : absl::StrCat("u:", who.user_id());
}

// The fake OpenAI over HTTPS with a certificate of its own, and the client
// that trusts it.
struct FakeModel {
  std::string dir;
  std::unique_ptr<fake_openai::FakeOpenAiServer> server;
  std::unique_ptr<recommender::OpenAiClient> client;

  ~FakeModel() {
    client.reset();
    if (server != nullptr) server->Stop();
    std::error_code ignored;
    if (!dir.empty()) std::filesystem::remove_all(dir, ignored);
  }
};

absl::Status StartFakeModel(FakeModel& model) {
  absl::StatusOr<std::string> dir = fake_openai::MakeTempDir("model-cost");
  if (!dir.ok()) return dir.status();
  model.dir = *dir;
  absl::StatusOr<fake_openai::CertFiles> cert =
      fake_openai::WriteSelfSignedCert(model.dir);
  if (!cert.ok()) return cert.status();
  fake_openai::FakeOpenAiOptions options;
  options.cert_file = cert->cert_file;
  options.key_file = cert->key_file;
  auto server = fake_openai::FakeOpenAiServer::Start(options);
  if (!server.ok()) return server.status();
  model.server = *std::move(server);
  recommender::OpenAiOptions client_options;
  client_options.api_key = "model-cost-replay";
  client_options.base_url = model.server->base_url();
  client_options.ca_file = cert->cert_file;
  auto client = recommender::OpenAiClient::Create(client_options);
  if (!client.ok()) return client.status();
  model.client = *std::move(client);
  return absl::OkStatus();
}

}  // namespace

std::vector<ReplayAction> ReplayTraffic(absl::Span<const Invoice> invoices,
                                        int home_requests_per_visit) {
  const int extra = std::max(1, home_requests_per_visit) - 1;
  std::vector<ReplayAction> actions;
  // When each shopper's last visit ended.
  absl::flat_hash_map<std::string, absl::Time> visit_end;
  for (const Invoice& invoice : invoices) {
    if (invoice.lines.empty()) continue;
    ReplayAction request{.request = true};
    request.visitor.set_user_id(invoice.user_id);
    request.visitor.set_session_key(invoice.session_key);
    const std::string shopper = ShopperOf(request.visitor);
    absl::Time start = invoice.time;
    if (auto it = visit_end.find(shopper); it != visit_end.end()) {
      start = std::max(start, it->second + kVisitGap);
    }
    request.at = start;
    actions.push_back(request);
    // No answers: no clicks, so that the traffic is the same for every
    // policy.
    std::vector<Interaction> events = VisitEvents(invoice, {}, start);
    absl::Time at = start;
    const size_t n = events.size();
    size_t next_extra = 1;  // the extra request due after event k*n/extra
    for (size_t i = 0; i < n; ++i) {
      at += kEventSpacing;
      SetTimestamp(at, events[i].mutable_timestamp());
      actions.push_back({.at = at, .event = std::move(events[i])});
      while (next_extra <= static_cast<size_t>(extra) &&
             i + 1 >= next_extra * n / extra) {
        at += kEventSpacing;
        request.at = at;
        actions.push_back(request);
        ++next_extra;
      }
    }
    visit_end[shopper] = at;
  }
  std::stable_sort(
      actions.begin(), actions.end(),
      [](const ReplayAction& a, const ReplayAction& b) { return a.at < b.at; });
  return actions;
}

const char* PolicyName(Policy policy) {
  return policy == Policy::kOriginal ? "original" : "ours";
}

double PolicyResult::cost_usd() const {
  const double uncached =
      static_cast<double>(prompt_tokens - cached_prompt_tokens);
  return (uncached * 0.15 + static_cast<double>(cached_prompt_tokens) * 0.075 +
          static_cast<double>(completion_tokens) * 0.60) /
         1e6;
}

absl::StatusOr<PolicyResult> RunPolicy(
    Policy policy, absl::Span<const smartshop::v1::Product> products,
    absl::Span<const ReplayAction> traffic, WhatIf what_if) {
  const bool ours = policy == Policy::kOurs;
  const bool share_new = ours && what_if.new_users_share_anonymous;
  PolicyResult result{.name = PolicyName(policy)};
  if (traffic.empty()) return result;
  SimulatedClock clock(traffic.front().at - absl::Minutes(1));

  FakeModel fake;
  if (absl::Status started = StartFakeModel(fake); !started.ok()) {
    return started;
  }
  recommender::PromptSettings prompt_settings;
  if (ours) {
    // The service's flag defaults (recommender_config.h).
    prompt_settings.structured_output = recommender::StructuredOutput::kAuto;
  } else {
    // The original's prompt, plain text.
    prompt_settings.version = "v1";
    prompt_settings.structured_output = recommender::StructuredOutput::kOff;
  }
  absl::StatusOr<recommender::PromptBuilder> prompt =
      recommender::PromptBuilder::Create(prompt_settings);
  if (!prompt.ok()) return prompt.status();

  testing::FakeTrackingReader tracking;
  tracking.SetProducts({products.begin(), products.end()});
  recommender::CatalogRefresher catalog(&tracking, absl::Hours(24 * 365),
                                        absl::Seconds(10));
  SimulatedTtlCache cache(&clock);
  recommender::InteractionModel interactions;
  // The original had no builtin ranker: then sessions share the anonymous
  // answer and the model ranks everyone.
  recommender::InteractionModel* const builtin = ours ? &interactions : nullptr;
  recommender::EngineOptions options;  // cache_ttl 1 h, as the original
#if SMARTSHOP_REPLAY_ANSWER_REUSE
  recommender::InMemoryModelReplyStore replies(clock);
  options.model_answer_reuse = ours;
  options.model_replies = ours ? &replies : nullptr;
#endif
  // The cost profile (docs/model-cost.md): new users share the anonymous
  // answer.
  options.new_users_share_anonymous = share_new;
  if (ours) options.model_route_max_history = what_if.route_max_history;
  // TODO(issue 16): without model_reply_store.h (answer reuse not merged)
  // "ours" runs without reuse; the table says which.
  result.answer_reuse = ours && SMARTSHOP_REPLAY_ANSWER_REUSE;
  result.name = absl::StrCat(
      result.name, result.answer_reuse ? " (reuse on)" : "",
      share_new ? ", new users share the anonymous answer" : "",
      ours && what_if.route_max_history > 0
          ? absl::StrCat(", routed past ", what_if.route_max_history, " events")
          : "");
  recommender::RecommendationEngine engine(
      &tracking, &catalog, &cache,
      recommender::MakeRankerChain(fake.client.get(), *prompt, options, builtin,
                                   nullptr),
      options, clock, nullptr, builtin,
      recommender::MakePlacementChains(fake.client.get(), *prompt, options,
                                       builtin, nullptr));

  std::vector<Interaction> seen;  // oldest first
  bool tracking_behind = false;
  absl::flat_hash_map<std::string, absl::Time> last_event;
  for (const ReplayAction& action : traffic) {
    if (action.at > clock.Now()) clock.SetTime(action.at);
    if (!action.request) {
      seen.push_back(action.event);
      tracking_behind = true;
      last_event[ShopperOf(action.event)] = action.at;
      if (ours) {
        // As the event feed does (main.cc): the model learns it, and the
        // engine drops what it makes stale.
        interactions.Observe(action.event);
        engine.OnLiveEvent(action.event);
      }
      continue;
    }
    if (tracking_behind) {
      tracking.SetInteractions({seen.rbegin(), seen.rend()});  // newest first
      tracking_behind = false;
    }
    auto last = last_event.find(ShopperOf(action.visitor));
    smartshop::v1::GetRecommendationsRequest request;
    request.set_user_id(action.visitor.user_id());
    request.set_session_key(action.visitor.session_key());
    request.set_placement(smartshop::v1::PLACEMENT_HOME);
    ++result.requests;
    const int64_t calls_before = fake.server->usage().chat_requests;
    absl::StatusOr<Recommendations> answer =
        engine.Get(request, absl::Now() + absl::Seconds(30));
    if (!answer.ok()) {
      return absl::Status(
          answer.status().code(),
          absl::StrCat(result.name, ": request ", result.requests, ": ",
                       answer.status().message()));
    }
    ++result.answers;
    if (answer->cache_hit()) ++result.cache_hits;
    ++result.strategies[smartshop::v1::Strategy_Name(answer->strategy())];
    // Get waits for the computation it starts, so the calls are this
    // request's.
    const int64_t calls = fake.server->usage().chat_requests - calls_before;
    if (action.visitor.user_id().empty()) {
      result.calls_guests += calls;
    } else if (last == last_event.end()) {
      result.calls_new_users += calls;
    } else {
      result.calls_returning_users += calls;
    }
    // Events at the request's own time are not before it (the visit gap
    // keeps a shopper's events off their next request's instant anyway).
    if (last != last_event.end() && last->second < action.at &&
        ToTime(answer->generated_at()) < last->second) {
      ++result.stale;
    }
  }
  const fake_openai::FakeUsage usage = fake.server->usage();
  result.model_calls = usage.chat_requests;
  result.prompt_tokens = usage.prompt_tokens;
  result.cached_prompt_tokens = usage.cached_prompt_tokens;
  result.completion_tokens = usage.completion_tokens;
  absl::flat_hash_set<std::string> bodies;
  for (const fake_openai::RecordedRequest& r : fake.server->requests()) {
    if (absl::EndsWith(r.target, "/chat/completions")) bodies.insert(r.body);
  }
  result.distinct_requests = static_cast<int64_t>(bodies.size());
  return result;
}

std::string MarkdownTable(const PolicyResult& original,
                          const PolicyResult& ours) {
  auto ratio = [](double a, double b) -> std::string {
    if (b == 0) return a == 0 ? "—" : "∞";
    return absl::StrFormat("%.0f %%", 100.0 * a / b);
  };
  std::string out =
      absl::StrFormat("| | %s | %s | %s / %s |\n|---|---:|---:|---:|\n",
                      original.name, ours.name, "ours", "original");
  auto row = [&](const std::string& label, int64_t a, int64_t b) {
    absl::StrAppendFormat(
        &out, "| %s | %d | %d | %s |\n", label, a, b,
        ratio(static_cast<double>(b), static_cast<double>(a)));
  };
  row("home page answers served", original.answers, ours.answers);
  row("model calls", original.model_calls, ours.model_calls);
  row("… for guests", original.calls_guests, ours.calls_guests);
  row("… for users with no event yet", original.calls_new_users,
      ours.calls_new_users);
  row("… for users with events before", original.calls_returning_users,
      ours.calls_returning_users);
  row("distinct model requests (calls if repeats were reused)",
      original.distinct_requests, ours.distinct_requests);
  row("prompt tokens", original.prompt_tokens, ours.prompt_tokens);
  row("cached prompt tokens (of the above)", original.cached_prompt_tokens,
      ours.cached_prompt_tokens);
  row("completion tokens", original.completion_tokens, ours.completion_tokens);
  absl::StrAppendFormat(&out,
                        "| cost (gpt-4o-mini prices) | $%.4f | $%.4f | %s |\n",
                        original.cost_usd(), ours.cost_usd(),
                        ratio(ours.cost_usd(), original.cost_usd()));
  row("cache hits", original.cache_hits, ours.cache_hits);
  row("stale answers", original.stale, ours.stale);
  auto strategies = [](const PolicyResult& r) {
    std::string s;
    for (const auto& [name, n] : r.strategies) {
      absl::StrAppend(&s, s.empty() ? "" : ", ",
                      absl::StripPrefix(name, "STRATEGY_"), " ", n);
    }
    return s;
  };
  absl::StrAppendFormat(&out, "| answers by strategy | %s | %s | |\n",
                        strategies(original), strategies(ours));
  return out;
}

}  // namespace smartshop::sim
