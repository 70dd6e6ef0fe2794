#include "tools/eval/evaluation.h"

#include "absl/time/clock.h"

namespace smartshop::eval {

const MethodResult* ProtocolResult::Find(const std::string& key) const {
  for (const MethodResult& method : methods) {
    if (method.key == key) return &method;
  }
  return nullptr;
}

const MethodResult* PlacementResult::Find(const std::string& key) const {
  for (const MethodResult& method : methods) {
    if (method.key == key) return &method;
  }
  return nullptr;
}

std::string ProtocolKey(Protocol protocol) {
  return protocol == Protocol::kPerUser ? "per_user" : "global";
}

ProtocolResult RunProtocol(
    Protocol protocol, const std::vector<Rating>& ratings,
    const std::vector<smartshop::v1::Product>& products) {
  ProtocolResult result{.protocol = protocol};
  const absl::Time split_start = absl::Now();
  const Split split = protocol == Protocol::kPerUser ? PerUserHoldout(ratings)
                                                     : GlobalTimeSplit(ratings);
  const recommender::CatalogSnapshot catalog =
      TrainingCatalog(products, split.train);
  result.split_time = absl::Now() - split_start;
  result.train_ratings = static_cast<int64_t>(split.train.size());
  result.test_ratings = static_cast<int64_t>(split.test.size());
  result.users_evaluated = static_cast<int64_t>(split.users.size());
  result.global_cut = split.global_cut;

  absl::flat_hash_map<int64_t, int64_t> category_of;
  for (const smartshop::v1::Product& product : products) {
    category_of[product.id()] = product.category_id();
  }
  std::vector<std::vector<int64_t>> relevant;
  relevant.reserve(split.users.size());
  for (const EvalUser& user : split.users) relevant.push_back(user.relevant);

  const Training training{.split = split, .catalog = catalog};
  for (const MethodSpec& spec : AllMethods()) {
    const absl::Time start = absl::Now();
    std::unique_ptr<Method> method = spec.make(training);
    std::vector<std::vector<int64_t>> lists;
    lists.reserve(split.users.size());
    for (const EvalUser& user : split.users) {
      lists.push_back(method->Recommend(user));
    }
    const absl::Duration time = absl::Now() - start;
    result.methods.push_back(
        {.key = spec.key,
         .name = spec.name,
         .scores = Score(lists, relevant, category_of,
                         static_cast<int64_t>(products.size())),
         .time = time});
  }
  return result;
}

PlacementResult RunPlacement(Placement placement, const ShopData& shop) {
  PlacementResult result{.placement = placement,
                         .dataset = shop.name,
                         .cases = placement == Placement::kProductPage
                                      ? ProductPageCases(shop.events)
                                      : CartCases(shop.events),
                         .events = static_cast<int64_t>(shop.events.size())};
  const std::vector<PlacementCase> cases = std::move(result.cases.cases);
  result.cases.cases.clear();
  result.questions = static_cast<int64_t>(cases.size());

  const recommender::CatalogSnapshot catalog(shop.products, absl::UnixEpoch());
  absl::flat_hash_map<int64_t, int64_t> category_of;
  for (const smartshop::v1::Product& product : shop.products) {
    category_of[product.id()] = product.category_id();
  }
  struct Running {
    std::unique_ptr<PlacementMethod> method;
    std::vector<std::vector<int64_t>> lists = {};
    absl::Duration time = absl::ZeroDuration();
  };
  PurchaseHistory history;
  const PlacementContext context{.catalog = catalog, .history = history};
  std::vector<Running> running;
  for (const PlacementMethodSpec& spec : AllPlacementMethods()) {
    running.push_back({.method = spec.make(context)});
    running.back().lists.reserve(cases.size());
  }
  absl::Duration history_time = absl::ZeroDuration();
  std::vector<std::vector<int64_t>> relevant;
  relevant.reserve(cases.size());
  size_t learnt = 0;
  for (const PlacementCase& c : cases) {
    for (; learnt < c.learn_end; ++learnt) {
      const ShopEvent& event = shop.events[learnt];
      const absl::Time start = absl::Now();
      history.Observe(event);
      history_time += absl::Now() - start;
      for (Running& r : running) {
        const absl::Time start = absl::Now();
        r.method->Observe(event);
        r.time += absl::Now() - start;
      }
    }
    for (Running& r : running) {
      const absl::Time start = absl::Now();
      std::vector<int64_t> list =
          r.method->Rank(placement, c.given, kListLength);
      r.time += absl::Now() - start;
      history.Fill(c.given, kListLength, list);
      r.lists.push_back(std::move(list));
    }
    relevant.push_back({c.held_out});
  }
  for (size_t m = 0; m < running.size(); ++m) {
    const PlacementMethodSpec& spec = AllPlacementMethods()[m];
    // The baselines' shared learning is counted in each of their times.
    if (spec.key != "builtin") running[m].time += history_time;
    result.methods.push_back(
        {.key = spec.key,
         .name = spec.name,
         .scores = Score(running[m].lists, relevant, category_of,
                         static_cast<int64_t>(shop.products.size())),
         .time = running[m].time});
  }
  return result;
}

}  // namespace smartshop::eval
