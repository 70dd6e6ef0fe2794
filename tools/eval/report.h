// The evaluation's output: a table per protocol for people, or one JSON
// object (--json) for scripts such as the eval_movielens test.
#ifndef SMARTSHOP_TOOLS_EVAL_REPORT_H_
#define SMARTSHOP_TOOLS_EVAL_REPORT_H_

#include <string>
#include <vector>

#include "tools/eval/dataset.h"
#include "tools/eval/evaluation.h"

namespace smartshop::eval {

// HR@8 of the builtin ranker over that of `baseline` (a method key); 0 when
// either is missing or the baseline's is 0.
double BuiltinRatio(const ProtocolResult& result, const std::string& baseline);

std::string TextReport(const ProtocolResult& result);

// The metrics the placement targets compare.
enum class Metric { kHitRate, kNdcg, kCoverage };

// The baseline (every method but builtin) best on `metric`; nullptr when
// there is none.
const MethodResult* BestBaseline(const PlacementResult& result, Metric metric);

// Builtin's `metric` over the best baseline's; 0 when either is missing or
// the baseline's is 0.
double BuiltinOverBestBaseline(const PlacementResult& result, Metric metric);

std::string TextReport(const PlacementResult& result);

// {"dataset": {...}, "protocols": {"per_user": {...}, "global": {...}},
//  "placements": {"product_page": {...}, "cart": {...}}}, each part only
// with what was run.
std::string JsonReport(const Dataset& dataset,
                       const std::vector<ProtocolResult>& results,
                       const std::vector<PlacementResult>& placements = {});
// {"dataset": {...}, "placements": {...}} for Online Retail.
std::string JsonReport(const RetailDataset& dataset,
                       const std::vector<PlacementResult>& placements);

}  // namespace smartshop::eval

#endif  // SMARTSHOP_TOOLS_EVAL_REPORT_H_
