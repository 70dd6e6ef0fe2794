#include "services/recommender/model/model_ranker.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/json_log.h"
#include "services/recommender/builtin/builtin_ranker.h"
#include "services/recommender/model/product_matcher.h"
#include "services/recommender/model/response_parser.h"

namespace smartshop::recommender {

std::string ModelFailureReason(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return "model: invalid API key";
    case absl::StatusCode::kResourceExhausted:
      return "model: rate limited";
    case absl::StatusCode::kDeadlineExceeded:
      return "model: timed out";
    case absl::StatusCode::kDataLoss:
      return "model: unexpected reply";
    case absl::StatusCode::kFailedPrecondition:
      return "model: not configured";
    default:
      return "model: unavailable";
  }
}
absl::string_view ModelFailureCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return "model_invalid_key";
    case absl::StatusCode::kResourceExhausted:
      return "model_rate_limited";
    case absl::StatusCode::kDeadlineExceeded:
      return "model_timeout";
    case absl::StatusCode::kDataLoss:
      return "model_bad_reply";
    case absl::StatusCode::kFailedPrecondition:
      return "model_not_configured";
    default:
      return "model_unavailable";
  }
}

ModelRanker::ModelRanker(LlmClient* llm, PromptBuilder prompt,
                         ModelRankerOptions options,
                         std::unique_ptr<const CandidateSource> candidates,
                         RecommenderMetrics* metrics)
    : llm_(llm),
      prompt_(std::move(prompt)),
      options_(std::move(options)),
      candidates_(std::move(candidates)),
      metrics_(metrics),
      breaker_(options_.breaker) {}

namespace {

// Parses a reply that arrived: the picks, or why the reply is unusable.
std::variant<std::vector<ModelPick>, RankingFailure> UsablePicks(
    const ChatCompletion& completion, bool by_id) {
  if (!completion.refusal.empty()) {
    return RankingFailure{kModelRefusedReason, kModelRefusedCode};
  }
  if (completion.finish_reason == "length") {
    // Cut off by max_tokens: whatever parses is a fragment of the answer.
    return RankingFailure{kModelTruncatedReason, kModelTruncatedCode};
  }
  if (completion.finish_reason == "content_filter") {
    // Left out or cut short by OpenAI's filter: not the model's answer.
    return RankingFailure{kModelFilteredReason, kModelFilteredCode};
  }
  if (completion.structured) {
    // Asked with the schema: a reply off it is a model failure, not
    // something to guess at.
    absl::StatusOr<std::vector<ModelPick>> picks =
        ParseStructuredReply(completion.content, by_id ? PickKey::kProductId
                                                       : PickKey::kProductName);
    if (!picks.ok()) {
      Log(LogLevel::kInfo, "model_reply_schema_violation",
          {{"error", picks.status().message()}});
      return RankingFailure{kModelSchemaViolationReason,
                            kModelSchemaViolationCode};
    }
    return *std::move(picks);
  }
  absl::StatusOr<std::vector<ModelPick>> picks =
      ParseModelReply(completion.content);
  if (!picks.ok()) {
    return RankingFailure{
        absl::StrCat("model reply: ", picks.status().message()),
        "model_reply_unparsable"};
  }
  return *std::move(picks);
}

// The hybrid model reorders the builtin candidates: those it did not name
// follow its picks in the builtin order, with the builtin's reasons and
// sources, before any top seller fills the page.
void AppendUnpicked(const std::vector<PromptBuilder::Candidate>& candidates,
                    Ranking& ranking) {
  absl::flat_hash_set<int64_t> picked;
  // Below every pick and the gap-fill score (top sellers come after).
  double score = ranking.gap_fill_score;
  for (const RankedProduct& item : ranking.items) {
    picked.insert(item.product->id());
    score = std::min(score, item.score);
  }
  for (const PromptBuilder::Candidate& candidate : candidates) {
    if (!picked.insert(candidate.product->id()).second) continue;
    score = std::max(0.0, score - 1);
    ranking.items.push_back({.product = candidate.product,
                             .score = score,
                             .reason = candidate.why,
                             .source = candidate.source});
  }
}

// The builtin ranking's diversity rule on the model's order: a pick past
// its category's share goes after the others (scores kept best first).
void KeepCategoriesVaried(int max_per_category, Ranking& ranking) {
  if (max_per_category <= 0) return;
  std::vector<const RankedProduct*> order;
  for (const RankedProduct& item : ranking.items) order.push_back(&item);
  order = Diversify(order, static_cast<int>(order.size()), max_per_category);
  std::vector<RankedProduct> varied;
  for (const RankedProduct* item : order) {
    varied.push_back(*item);
    if (varied.size() > 1) {
      varied.back().score =
          std::min(varied.back().score, varied[varied.size() - 2].score);
    }
  }
  ranking.items = std::move(varied);
}

}  // namespace

std::variant<Ranking, RankingFailure> ModelRanker::Rank(
    const RankingRequest& request, absl::Time deadline) {
  // The prompt, and how its answer maps onto products.
  absl::StatusOr<ChatRequest> chat;
  std::vector<const smartshop::v1::Product*> shown;
  std::vector<PromptBuilder::Candidate> candidates;
  const bool hybrid = candidates_ != nullptr;
  if (hybrid) {
    candidates = candidates_->Candidates(request);
    for (const auto& candidate : candidates) shown.push_back(candidate.product);
    chat =
        prompt_.BuildHybrid(request.summary, candidates, request.personalised);
    if (!chat.ok()) {
      return RankingFailure{
          .reason = absl::StrCat("hybrid prompt: ", chat.status().message()),
          .code = "hybrid_prompt_missing",
          .no_call = true};
    }
  } else {
    chat =
        prompt_.Build(request.summary, request.catalog, request.personalised);
  }
  auto to_ranking = [&](const std::vector<ModelPick>& picks) {
    const MatchResult match = hybrid ? MatchPicksById(picks, shown)
                                     : MatchPicks(picks, request.catalog);
    Ranking ranking;
    ranking.strategy = smartshop::v1::STRATEGY_MODEL;
    ranking.source = smartshop::v1::MODEL;
    ranking.dropped = match.unmatched + match.duplicates;
    for (const MatchedPick& pick : match.matched) {
      ranking.items.push_back(
          {pick.product, pick.relevance_score, pick.reason});
    }
    if (hybrid) {
      AppendUnpicked(candidates, ranking);
      KeepCategoriesVaried(candidates_->MaxPerCategory(), ranking);
    }
    if (ranking.dropped > 0) {
      Log(LogLevel::kInfo, "model_picks_dropped",
          {{"unmatched", int64_t{match.unmatched}},
           {"duplicates", int64_t{match.duplicates}}});
    }
    return ranking;
  };

  // The same request answered before: that answer, without a call (and
  // whatever the breaker says: no call is made).
  const std::string reply_key =
      options_.replies != nullptr ? ModelReplyKey(*chat) : "";
  if (options_.replies != nullptr) {
    absl::StatusOr<std::optional<StoredReply>> stored = options_.replies->Get(
        reply_key, std::min(deadline, absl::Now() + options_.store_timeout));
    if (stored.ok() && stored->has_value()) {
      ChatCompletion reused{.content = (*stored)->content,
                            .structured = (*stored)->structured};
      auto picks = UsablePicks(reused, hybrid);
      if (auto* usable = std::get_if<std::vector<ModelPick>>(&picks)) {
        if (metrics_ != nullptr) metrics_->ModelReplyReused();
        Ranking ranking = to_ranking(*usable);
        ranking.model_reused = true;
        return ranking;
      }
    }
  }

  if (!breaker_.Allow()) {
    return RankingFailure{.reason = "model: paused after repeated failures",
                          .code = "model_circuit_open",
                          .no_call = true};
  }
  // Released (settled at 0) by its destructor on the paths that make no
  // call; settled at the call's cost after it.
  std::optional<ModelBudget::Reservation> reservation;
  if (options_.budget != nullptr) {
    auto reserved = options_.budget->TryReserve(deadline);
    if (std::holds_alternative<BudgetCap>(reserved)) {
      breaker_.Abandon();
      return RankingFailure{.reason = "model: budget reached",
                            .code = "model_budget_reached",
                            .no_call = true};
    }
    reservation = std::get<ModelBudget::Reservation>(std::move(reserved));
  }
  const absl::Time own_limit = absl::Now() + options_.model_timeout;
  const absl::Time model_deadline =
      std::min(deadline - options_.reply_margin, own_limit);
  const absl::Time model_start = absl::Now();
  absl::StatusOr<ChatCompletion> completion =
      llm_->Complete(*chat, model_deadline);
  if (reservation.has_value()) {
    // A reply is billed at its cost. Without one, a call that timed out
    // (or whose reply could not be read) may still be billed by OpenAI:
    // charged its hold, the worst case; a refused or unreachable one (an
    // error status, a reset), nothing.
    const absl::StatusCode code = completion.status().code();
    const bool maybe_billed = code == absl::StatusCode::kDeadlineExceeded ||
                              code == absl::StatusCode::kDataLoss;
    const double cost = completion.ok() ? completion->estimated_cost_usd
                        : maybe_billed  ? reservation->held_usd()
                                        : 0.0;
    options_.budget->Settle(*std::move(reservation), cost, deadline);
  }
  if (!completion.ok()) {
    if (metrics_ != nullptr) {
      metrics_->ModelCall(ModelFailureCode(completion.status()),
                          absl::Now() - model_start);
    }
    if (completion.status().code() == absl::StatusCode::kDeadlineExceeded &&
        model_deadline < own_limit) {
      // Only the caller's own deadline ran out: no verdict on the model.
      breaker_.Abandon();
    } else {
      breaker_.Record(false);
    }
    return RankingFailure{ModelFailureReason(completion.status()),
                          std::string(ModelFailureCode(completion.status()))};
  }
  // A reply arrived (and is paid for); whether it is usable is decided here.
  auto picks = UsablePicks(*completion, hybrid);
  const auto* unusable = std::get_if<RankingFailure>(&picks);
  if (metrics_ != nullptr) {
    metrics_->ModelCall(unusable ? absl::string_view(unusable->code) : "ok",
                        absl::Now() - model_start);
    metrics_->ModelUsage(
        completion->prompt_tokens, completion->cached_prompt_tokens,
        completion->completion_tokens, completion->estimated_cost_usd);
  }
  breaker_.Record(unusable == nullptr);
  if (unusable != nullptr) return *unusable;
  if (options_.replies != nullptr) {
    // Best effort: a store that cannot keep it costs the next call only.
    options_.replies
        ->Put(reply_key,
              {.content = completion->content,
               .structured = completion->structured},
              options_.reply_ttl,
              std::min(deadline, absl::Now() + options_.store_timeout))
        .IgnoreError();
  }
  Ranking ranking = to_ranking(std::get<std::vector<ModelPick>>(picks));
  ranking.model_cost_usd = completion->estimated_cost_usd;
  return ranking;
}

}  // namespace smartshop::recommender
