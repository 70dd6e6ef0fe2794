#include "tools/eval/evaluation.h"

#include "absl/time/clock.h"

namespace smartshop::eval {

const MethodResult* ProtocolResult::Find(const std::string& key) const {
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

}  // namespace smartshop::eval
