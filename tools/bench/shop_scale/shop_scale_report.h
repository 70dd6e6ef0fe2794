// What the shop-scale benchmark measured, as a table for people and as one
// JSON object (the README's table is made from it), each figure beside the
// issue's target where there is one.
#ifndef SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SHOP_SCALE_REPORT_H_
#define SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SHOP_SCALE_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "boost/json.hpp"
#include "tools/bench/shop_scale/soak.h"

namespace smartshop::bench {

struct IngestFigures {
  int64_t events = 0;
  absl::Duration copy_elapsed;
  absl::Duration track_batch_elapsed;
  int64_t track_batch_refused = 0;
  int64_t copy_table_bytes = 0;  // interactions after the COPY
  int64_t table_bytes = 0;       // after TrackBatch (what the replica reads)
};

struct ReplicaFigures {
  std::string name;            // which soak it served
  absl::Duration caught_up;    // from start to its "model_caught_up" log line
  int64_t history_events = 0;  // in the table when it started
  int64_t model_events = 0;    // what its model learnt
  int64_t model_bytes = 0;
  int64_t resident_bytes = 0;
  int64_t peak_resident_bytes = 0;
};

struct SoakFigures {
  SoakOptions options;
  SoakResult result;
};

struct ShopScaleReport {
  boost::json::object config;
  IngestFigures ingest;
  std::vector<ReplicaFigures> replicas;
  std::vector<SoakFigures> soaks;
};

std::string FormatText(const ShopScaleReport& report);
// One line.
std::string FormatJson(const ShopScaleReport& report);

}  // namespace smartshop::bench

#endif  // SMARTSHOP_TOOLS_BENCH_SHOP_SCALE_SHOP_SCALE_REPORT_H_
