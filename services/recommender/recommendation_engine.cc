#include "services/recommender/recommendation_engine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "boost/uuid/random_generator.hpp"
#include "boost/uuid/uuid_io.hpp"
#include "common/proto_time.h"
#include "services/recommender/experiments/assignment.h"
#include "services/recommender/placement_version.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::Recommendations;

// Why a caller got the builtin answer (or top sellers) instead of the
// model's: its own deadline came first.
constexpr absl::string_view kNotWithinDeadline =
    "model: no answer within this call's deadline (it goes on for the next "
    "callers)";

// Slow movers' recent sales: the builtin model's decayed purchases (a 7-day
// half-life); without it, the catalog's units_sold (AnswerBuilder::Finish).
RecentSales RecentSalesOf(const InteractionModel* model) {
  if (model == nullptr) return nullptr;
  return [model](int64_t product_id) {
    return model->Read().RecentPurchases(product_id);
  };
}

// A fresh random (version 4) UUID per served answer. The generator is
// not thread-safe: one per thread, seeded from the system's entropy.
std::string NewRecommendationId() {
  thread_local boost::uuids::random_generator generator;
  return boost::uuids::to_string(generator());
}

// The answer's fallback reason, cut to what the served log keeps.
std::string FallbackCode(const Recommendations& answer) {
  constexpr size_t kMaxBytes = 128;
  const std::string& reason = answer.fallback_reason();
  if (reason.size() <= kMaxBytes) return reason;
  size_t cut = kMaxBytes;
  // Never in the middle of a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) {
    --cut;
  }
  return reason.substr(0, cut);
}

// The unit an experiment randomises: the user, else the session; none for
// an anonymous visitor without one (who shares one cached answer).
std::string AssignmentKey(const Shopper& visitor) {
  if (!visitor.user_id.empty()) return absl::StrCat("u:", visitor.user_id);
  if (!visitor.session_key.empty()) {
    return absl::StrCat("s:", visitor.session_key);
  }
  return "";
}

}  // namespace

RecommendationEngine::RecommendationEngine(
    TrackingReader* tracking, CatalogRefresher* catalog,
    RecommendationCache* cache, std::unique_ptr<RankerChain> chain,
    EngineOptions options, const Clock& clock, RecommenderMetrics* metrics,
    InteractionModel* model, PlacementChains placements)
    : tracking_(tracking),
      catalog_(catalog),
      options_(std::move(options)),
      chain_(std::move(chain)),
      placements_(std::move(placements)),
      recent_sales_(RecentSalesOf(model)),
      model_(model),
      counters_(metrics),
      answers_(&counters_, clock),
      inputs_(tracking, options_, clock),
      answer_cache_(cache, options_, &flights_, &counters_, &clock),
      executor_(std::max(1, options_.max_computations)) {}

RecommendationEngine::~RecommendationEngine() = default;

void RecommendationEngine::set_experiments(
    std::shared_ptr<const experiments::ExperimentSet> set, VariantChains chains,
    PlacementChains builtin_placements) {
  experiments_ = std::move(set);
  variant_chains_ = std::move(chains);
  builtin_placements_ = std::move(builtin_placements);
  answer_cache_.set_variant_keys(experiments_ != nullptr ? &variants_
                                                         : nullptr);
}

void RecommendationEngine::Assign(RequestContext& context) const {
  if (experiments_ == nullptr) return;
  const std::string key = AssignmentKey(context.visitor);
  if (key.empty()) return;
  const smartshop::v1::Experiment* experiment =
      experiments_->Active(context.placement(), answers_.now());
  if (experiment == nullptr) return;
  const experiments::Assignment assignment =
      experiments::Assign(*experiment, key);
  context.experiment = experiment;
  context.variant =
      assignment.index >= 0 ? &experiment->variants(assignment.index) : nullptr;
}

std::optional<VariantTag> RecommendationEngine::Variants::Of(
    const Shopper& visitor) const {
  RequestContext context;
  context.visitor = visitor;
  engine_->Assign(context);
  if (context.variant == nullptr) return std::nullopt;
  return VariantTag{context.experiment->name(), context.variant->name()};
}

std::vector<VariantTag> RecommendationEngine::Variants::Configured() const {
  std::vector<VariantTag> tags;
  const experiments::ExperimentSet* set = engine_->experiments_.get();
  if (set == nullptr) return tags;
  for (const auto& experiment : set->config().experiments()) {
    for (const auto& variant : experiment.variants()) {
      tags.push_back({experiment.name(), variant.name()});
    }
  }
  return tags;
}

std::vector<VariantTag> RecommendationEngine::Variants::All() const {
  std::vector<VariantTag> tags;
  const experiments::ExperimentSet* set = engine_->experiments_.get();
  if (set == nullptr) return tags;
  const smartshop::v1::Experiment* experiment =
      set->Active(smartshop::v1::PLACEMENT_HOME, engine_->answers_.now());
  if (experiment == nullptr) return tags;
  for (const auto& variant : experiment->variants()) {
    tags.push_back({experiment->name(), variant.name()});
  }
  return tags;
}

absl::StatusOr<Recommendations> RecommendationEngine::Get(
    const smartshop::v1::GetRecommendationsRequest& request,
    absl::Time deadline) {
  const absl::Time started = absl::Now();
  absl::StatusOr<RequestContext> context = MakeRequestContext(
      request, chain_->ranks_without_model() || options_.session_model);
  if (!context.ok()) return context.status();
  ShareAnonymousIfNew(*context);
  Assign(*context);
  const std::optional<std::string> key = CacheKey(*context);
  if (key.has_value()) {
    if (std::optional<Recommendations> hit =
            answer_cache_.Lookup(*key, deadline)) {
      return Stamp(*context, Served(*context, *std::move(hit)), started, {});
    }
  }
  std::shared_ptr<const CatalogSnapshot> catalog =
      catalog_->CurrentOrLoad(deadline - options_.reply_margin);
  if (catalog == nullptr) {
    return absl::UnavailableError(
        "no catalog yet: the tracking service has not been reachable since "
        "start-up");
  }
  ModelSpend spend;
  std::shared_ptr<ComputationSpend> started_computation;
  Recommendations answer;
  if (key.has_value()) {
    answer = Shared(*context, *key, catalog, deadline, started_computation);
  } else {
    Computed computed = Compute(*context, *catalog, deadline, {});
    answer = std::move(computed.answer);
    spend = computed.spend;
  }
  AnswerBuilder::Finish(context->request, catalog.get(), answer, answers_.now(),
                        recent_sales_,
                        options_.placement.ranker.max_per_category);
  return Stamp(*context, std::move(answer), started, spend,
               started_computation.get());
}

std::optional<absl::StatusOr<Recommendations>> RecommendationEngine::GetIfLocal(
    const smartshop::v1::GetRecommendationsRequest& request) {
  const absl::Time started = absl::Now();
  absl::StatusOr<RequestContext> context = MakeRequestContext(
      request, chain_->ranks_without_model() || options_.session_model);
  if (!context.ok()) return context.status();
  // A reactor thread: never waits for the model.
  if (!ShareAnonymousIfNew(*context, /*may_wait=*/false)) return std::nullopt;
  Assign(*context);
  const std::optional<std::string> key = CacheKey(*context, /*may_wait=*/false);
  if (!key.has_value()) return std::nullopt;
  std::optional<Recommendations> hit = answer_cache_.LookupLocal(*key);
  if (!hit.has_value()) return std::nullopt;
  return Stamp(*context, Served(*context, *std::move(hit)), started, {});
}

bool RecommendationEngine::ShareAnonymousIfNew(RequestContext& context,
                                               bool may_wait) const {
  // A user without an event of their own is asked about exactly as an
  // anonymous visitor is (the same summary of the shop, the same prompt):
  // they share its cached answer instead of a model call each. Their first
  // event gives them their own (the model then knows them). Only while the
  // builtin model has seen the whole log and forgot no one, so that "not
  // known" means "no events".
  if (!options_.new_users_share_anonymous || model_ == nullptr ||
      !context.home() || context.request.category_id() != 0 ||
      context.shopper.user_id.empty() || !answer_cache_.builtin_ready()) {
    return true;
  }
  const std::string actor = absl::StrCat("u:", context.shopper.user_id);
  auto is_new = [&](const InteractionModel::Reader& model) {
    return model.KnowsEveryShopper() && !model.Knows(actor);
  };
  bool share = false;
  if (may_wait) {
    share = is_new(model_->Read());
  } else {
    const std::optional<InteractionModel::Reader> model = model_->TryRead();
    if (!model.has_value()) return false;
    share = is_new(*model);
  }
  if (share) {
    context.request.clear_user_id();
    context.request.clear_session_key();
    context.shopper = Shopper{};
  }
  return true;
}

std::optional<std::string> RecommendationEngine::CacheKey(
    const RequestContext& context, bool may_wait) const {
  if (!context.cacheable) return std::nullopt;
  std::string placement_key;
  if (!context.home()) {
    const std::optional<std::string> version = PlacementInputsVersion(
        context.request, model_, catalog_->Current().get(), may_wait);
    if (!version.has_value()) return std::nullopt;
    placement_key = answer_cache_.PlacementKey(context, *version);
  }
  if (context.variant != nullptr) {
    // Each variant's answers apart: a shopper moved by a new split never
    // sees another variant's answer, and sessions sharing the anonymous
    // answer share it per variant.
    const VariantTag tag{context.experiment->name(), context.variant->name()};
    return context.home() ? answer_cache_.Key(context.shopper, tag)
                          : absl::StrCat(placement_key, ":", tag.experiment,
                                         ":", tag.variant);
  }
  return context.home() ? answer_cache_.Key(context.shopper) : placement_key;
}

RankerChain* RecommendationEngine::ChainFor(
    const RequestContext& context) const {
  if (context.variant != nullptr &&
      context.variant->ranker() != smartshop::v1::VARIANT_RANKER_DEFAULT) {
    const auto ranker = context.variant->ranker();
    if (!context.home() && ranker == smartshop::v1::VARIANT_RANKER_BUILTIN) {
      // The placement's builtin ranking alone (its own chain may hold the
      // model for shared answers).
      auto it = builtin_placements_.find(context.placement());
      if (it != builtin_placements_.end()) return it->second.get();
    }
    // Off the home page only top sellers (validation refuses the model).
    auto it = variant_chains_.find(ranker);
    if (it != variant_chains_.end() &&
        (context.home() ||
         ranker == smartshop::v1::VARIANT_RANKER_TOP_SELLERS)) {
      return it->second.get();
    }
  }
  if (context.home()) return chain_.get();
  auto it = placements_.find(context.placement());
  return it == placements_.end() ? nullptr : it->second.get();
}

absl::Duration RecommendationEngine::TtlOf(const RequestContext& context,
                                           AnswerKind kind) const {
  // Not for builtin answers while the model is still replaying the log:
  // those are kept briefly, as without an experiment.
  if (context.variant != nullptr && kind != AnswerKind::kBrief &&
      (kind == AnswerKind::kModel || answer_cache_.builtin_ready())) {
    if (std::optional<absl::Duration> ttl =
            experiments::VariantCacheTtl(*context.variant)) {
      return *ttl;
    }
  }
  return context.home() ? answer_cache_.Ttl(kind, context.shopper)
                        : answer_cache_.PlacementTtl(kind, context.placement());
}

Recommendations RecommendationEngine::Fallback(const RequestContext& context,
                                               const CatalogSnapshot& catalog,
                                               std::string reason,
                                               absl::string_view code) const {
  Recommendations answer = answers_.TopSellers(catalog, std::move(reason), code,
                                               context.request.category_id());
  if (context.placement() == smartshop::v1::PLACEMENT_RECENTLY_VIEWED) {
    answer.clear_items();
  }
  return answer;
}

Recommendations RecommendationEngine::Served(const RequestContext& context,
                                             Recommendations hit) const {
  hit.set_cache_hit(true);
  // Checked against the catalog as it is now.
  AnswerBuilder::Finish(context.request, catalog_->Current().get(), hit,
                        answers_.now(), recent_sales_,
                        options_.placement.ranker.max_per_category);
  return hit;
}

Recommendations RecommendationEngine::Stamp(const RequestContext& context,
                                            Recommendations answer,
                                            absl::Time started,
                                            ModelSpend spend,
                                            ComputationSpend* computation) {
  answer.set_recommendation_id(NewRecommendationId());
  if (context.experiment != nullptr) {
    answer.set_experiment(context.experiment->name());
    answer.set_variant(context.variant != nullptr
                           ? context.variant->name()
                           : std::string(experiments::kHoldoutVariant));
    counters_.CountAssignment(answer.experiment(), answer.variant());
  }
  for (int i = 0; i < answer.items_size(); ++i) {
    answer.mutable_items(i)->set_position(i + 1);
  }
  if (served_log_ == nullptr) return answer;
  smartshop::v1::ServedRecommendation served;
  served.set_recommendation_id(answer.recommendation_id());
  const absl::Time now = absl::Now();
  SetTimestamp(now, served.mutable_served_at());
  served.set_user_id(context.visitor.user_id);
  served.set_session_key(context.visitor.session_key);
  served.set_placement(answer.placement());
  served.set_strategy(answer.strategy());
  served.set_experiment(answer.experiment());
  served.set_variant(answer.variant());
  served.set_cache_hit(answer.cache_hit());
  for (const auto& item : answer.items()) {
    served.add_product_ids(item.product().id());
  }
  served.set_latency_micros(
      std::max<int64_t>(0, absl::ToInt64Microseconds(now - started)));
  served.set_fallback_code(FallbackCode(answer));
  if (computation != nullptr) {
    // This caller started a shared computation: its spend is this answer's,
    // now if it is over, else recorded by the computation when it is.
    absl::MutexLock lock(&computation->mu);
    if (computation->done) {
      spend = computation->spend;
    } else {
      computation->owed = served;
    }
  }
  served.set_model_calls(spend.calls);
  served.set_model_cost_usd(spend.cost_usd);
  served_log_->Record(std::move(served));
  return answer;
}

Recommendations RecommendationEngine::Shared(
    const RequestContext& context, const std::string& key,
    std::shared_ptr<const CatalogSnapshot> catalog, absl::Time deadline,
    std::shared_ptr<ComputationSpend>& started_computation) {
  // The shared computation ignores the caller's exclusions, which are
  // applied to its copy after.
  RequestContext shared = context;
  shared.request.clear_exclude_product_ids();
  AnswerFlights::Joined joined =
      flights_.Join(key, [&]() -> AnswerFlights::Work {
        started_computation = std::make_shared<ComputationSpend>();
        return [this, shared, key, catalog,
                out = started_computation](AnswerFlights::Flight& flight) {
          return RunShared(shared, key, *catalog, flight, *out);
        };
      });
  if (joined.flight == nullptr) {
    return Alone(context, *catalog, deadline,
                 "model: too many computations in flight", "computations_full");
  }
  // Past the bound a caller does not wait: it takes what there is.
  const bool may_wait =
      waiting_callers_.fetch_add(1) < options_.max_waiting_callers;
  const absl::Time until =
      may_wait ? deadline - options_.reply_margin : absl::Now();
  AnswerFlights::Flight::Seen seen = joined.flight->Await(until);
  waiting_callers_.fetch_sub(1);
  if (seen.final) return *std::move(seen.value);
  if (seen.value.has_value()) {
    // The builtin answer, published before the model was asked.
    counters_.CountFallback("caller_deadline");
    return *std::move(seen.value);
  }
  if (!may_wait) {
    return Alone(context, *catalog, deadline, "model: too many callers waiting",
                 "waiters_full");
  }
  return Fallback(context, *catalog, std::string(kNotWithinDeadline),
                  "caller_deadline");
}

Recommendations RecommendationEngine::RunShared(const RequestContext& context,
                                                const std::string& key,
                                                const CatalogSnapshot& catalog,
                                                AnswerFlights::Flight& flight,
                                                ComputationSpend& spend) {
  const AnswerCache::Reservation reservation = answer_cache_.Reserve(key);
  // Its own budget: no caller's deadline bounds what all of them share.
  // (Two tracking reads: the shopper's window, then recent orders.)
  const absl::Time budget = absl::Now() + 2 * options_.tracking_timeout +
                            options_.model_timeout + options_.reply_margin;
  Computed computed =
      Compute(context, catalog, budget,
              {.on_interim = [&](const Recommendations& interim) {
                flight.PublishInterim(interim);
              }});
  answer_cache_.Store(reservation, computed.answer, computed.ttl, flight);
  std::optional<smartshop::v1::ServedRecommendation> owed;
  {
    absl::MutexLock lock(&spend.mu);
    spend.spend = computed.spend;
    spend.done = true;
    owed = std::move(spend.owed);
  }
  if (owed.has_value() && computed.spend.calls > 0 && served_log_ != nullptr) {
    // The starter's answer, again, with the spend (RecordServed keeps the
    // larger one).
    owed->set_model_calls(computed.spend.calls);
    owed->set_model_cost_usd(computed.spend.cost_usd);
    served_log_->Record(*std::move(owed));
  }
  return std::move(computed.answer);
}

Recommendations RecommendationEngine::Alone(const RequestContext& context,
                                            const CatalogSnapshot& catalog,
                                            absl::Time deadline,
                                            absl::string_view reason,
                                            absl::string_view code) {
  return Compute(context, catalog, deadline,
                 {.model_refused =
                      RankingFailure{std::string(reason), std::string(code)}})
      .answer;
}

RecommendationEngine::Computed RecommendationEngine::Compute(
    const RequestContext& context, const CatalogSnapshot& catalog,
    absl::Time deadline, const ComputeMode& mode) {
  const absl::Duration brief = TtlOf(context, AnswerKind::kBrief);
  RankerChain* const chain = ChainFor(context);
  if (chain == nullptr) {
    return {Fallback(context, catalog, "placement: not served by this replica",
                     "no_placement_chain"),
            brief};
  }
  absl::StatusOr<RankingInputs> inputs =
      inputs_.Read(context, catalog, deadline, chain->ranks_without_model());
  if (!inputs.ok()) {
    return {Fallback(context, catalog,
                     absl::StrCat("tracking: ", inputs.status().message()),
                     "tracking_error"),
            brief};
  }
  if (inputs->no_data) return {answers_.NoData(catalog), brief};

  // What never to return: the rankers' exclusions, the page's products.
  absl::flat_hash_set<int64_t> exclude = inputs->placement.has_value()
                                             ? inputs->placement->exclude
                                             : inputs->builtin.exclude;
  for (int64_t id : context.PageProducts()) exclude.insert(id);
  const AnswerBuilder::Limits limits{
      .exclude = exclude, .category_id = context.request.category_id()};

  const RankingRequest ranking_request = inputs->For(catalog);
  ChainRequest chain_request{.ranking = ranking_request,
                             .shopper = context.shopper,
                             .category_id = context.request.category_id(),
                             .model_refused = mode.model_refused};
  if (mode.on_interim) {
    chain_request.before_model = [&](const Ranking& builtin) {
      mode.on_interim(answers_.FromRanking(builtin, catalog, limits,
                                           std::string(kNotWithinDeadline)));
    };
  }
  ChainOutcome outcome = chain->Rank(chain_request, deadline);
  ModelSpend spend;
  if (outcome.model_called) {
    counters_.CountModelCall();
    spend = {.calls = 1, .cost_usd = outcome.ranking.model_cost_usd};
  }
  if (outcome.fallback_model_called) {
    // The secondary model's call (the cost is the answer's, when it made
    // one: the primary's failed reply is not known here).
    counters_.CountModelCall();
    ++spend.calls;
  }
  if (outcome.ranked_by == RankedBy::kNone) {
    return {Fallback(context, catalog, std::move(outcome.gave_up.reason),
                     outcome.gave_up.code),
            brief, spend};
  }
  AnswerKind kind = outcome.ranked_by == RankedBy::kModel
                        ? AnswerKind::kModel
                        : AnswerKind::kBuiltin;
  if (outcome.stand_in()) {
    counters_.CountFallback(outcome.gave_up.code);
    kind = AnswerKind::kBrief;
  } else if (outcome.ranked_by == RankedBy::kModel &&
             outcome.fallback_model_called) {
    // The secondary model's answer: a fallback (the primary failed), kept
    // as a model answer.
    counters_.CountFallback(outcome.gave_up.code);
  }
  std::string routing;
  if (outcome.routed) {
    routing = std::move(outcome.gave_up.reason);
    outcome.gave_up = {};
  }
  std::string reason = std::move(outcome.gave_up.reason);
  if (!inputs->degraded.empty()) {
    // Ranked without the shopper: kept briefly, and said.
    reason = inputs->degraded;
    kind = AnswerKind::kBrief;
  }
  Recommendations answer =
      answers_.FromRanking(outcome.ranking, catalog, limits, std::move(reason));
  answer.set_routing_reason(std::move(routing));
  return {std::move(answer), TtlOf(context, kind), spend};
}

absl::StatusOr<smartshop::v1::DeleteUserDataResponse>
RecommendationEngine::DeleteUserData(
    const smartshop::v1::DeleteUserDataRequest& request, absl::Time deadline,
    const std::string& caller_authorization) {
  if (absl::Status valid = CheckUserTarget(request.user_id()); !valid.ok()) {
    return valid;
  }
  // Forgotten first, so that nothing is recomputed from it meanwhile, nor
  // recorded again after tracking's delete.
  if (model_ != nullptr) {
    model_->ForgetActor(absl::StrCat("u:", request.user_id()));
  }
  if (served_log_ != nullptr) served_log_->Forget(request.user_id());
  // Tracking's counts: interactions, served answers, impressions.
  absl::StatusOr<smartshop::v1::DeleteUserDataResponse> erased =
      tracking_->DeleteUserData(request.user_id(), deadline,
                                caller_authorization);
  if (!erased.ok()) return erased.status();
  smartshop::v1::DeleteUserDataResponse response = *std::move(erased);
  // After the rows are gone: an answer computed before cannot be stored.
  absl::StatusOr<int64_t> cached =
      answer_cache_.DropAll(answer_cache_.KeysOf(Shopper{request.user_id(), ""},
                                                 /*every_variant=*/true),
                            deadline);
  if (!cached.ok()) return cached.status();
  response.set_deleted_cache_entries(*cached);
  return response;
}

}  // namespace smartshop::recommender
