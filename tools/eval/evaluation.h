// Runs every method on one protocol's split and scores the lists: the part
// of the evaluation between loading the data and printing the report.
#ifndef SMARTSHOP_TOOLS_EVAL_EVALUATION_H_
#define SMARTSHOP_TOOLS_EVAL_EVALUATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "smartshop/v1/catalog.pb.h"
#include "tools/eval/methods.h"
#include "tools/eval/metrics.h"
#include "tools/eval/placement_data.h"
#include "tools/eval/placement_methods.h"
#include "tools/eval/placement_splits.h"
#include "tools/eval/splits.h"

namespace smartshop::eval {

enum class Protocol { kPerUser, kGlobal };

struct MethodResult {
  std::string key;
  std::string name;
  Scores scores;
  // Preparing (e.g. building the model) plus ranking for every user.
  absl::Duration time;
};

struct ProtocolResult {
  Protocol protocol = Protocol::kPerUser;
  int64_t train_ratings = 0;
  int64_t test_ratings = 0;
  int64_t users_evaluated = 0;
  int64_t global_cut = 0;  // T of the global split, else 0
  absl::Duration split_time = absl::ZeroDuration();
  std::vector<MethodResult> methods = {};  // in AllMethods() order

  // nullptr when there is no such method.
  const MethodResult* Find(const std::string& key) const;
};

// "per_user" / "global", for flags and JSON.
std::string ProtocolKey(Protocol protocol);

// Splits `ratings` by the protocol and runs AllMethods() over it, with
// `products` (units_sold ignored) as the catalog.
ProtocolResult RunProtocol(Protocol protocol,
                           const std::vector<Rating>& ratings,
                           const std::vector<smartshop::v1::Product>& products);

struct PlacementResult {
  Placement placement = Placement::kProductPage;
  std::string dataset;  // ShopData::name
  // The cut and the questions' accounting (cases emptied).
  PlacementCases cases;
  int64_t questions = 0;
  int64_t events = 0;
  std::vector<MethodResult> methods = {};  // in AllPlacementMethods() order

  const MethodResult* Find(const std::string& key) const;
};

// Asks every method of AllPlacementMethods() the placement's questions
// (placement_splits.h), feeding them `shop`'s events in event order up to
// each question; every list is filled up to kListLength with the most
// purchased products so far that it lacks (never a given product), as the
// service fills with top sellers.
PlacementResult RunPlacement(Placement placement, const ShopData& shop);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_EVALUATION_H_
