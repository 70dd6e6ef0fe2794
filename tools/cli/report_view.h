// How the experiment and insights commands print what they get.
#ifndef SMARTSHOP_TOOLS_CLI_REPORT_VIEW_H_
#define SMARTSHOP_TOOLS_CLI_REPORT_VIEW_H_

#include <string>

#include "smartshop/v1/experiments.pb.h"

namespace smartshop::cli {

// "4.00%"
std::string Percent(double value);

// One row per variant: counts, rates with their 95 % intervals, lift, p,
// verdict, model calls and cost, latency.
std::string ExperimentReportTable(
    const smartshop::v1::ExperimentReport& report);

}  // namespace smartshop::cli

#endif  // SMARTSHOP_TOOLS_CLI_REPORT_VIEW_H_
