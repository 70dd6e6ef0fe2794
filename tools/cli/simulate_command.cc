// smartshop simulate: the Online Retail sample replayed as a shop against
// the running services (tools/sim/shop_simulation.h says how shoppers
// behave), then the experiment's report.
#include <cerrno>
#include <cstring>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "smartshop/v1/experiments.grpc.pb.h"
#include "smartshop/v1/insights.grpc.pb.h"
#include "smartshop/v1/recommender.grpc.pb.h"
#include "smartshop/v1/tracking.grpc.pb.h"
#include "tools/cli/commands.h"
#include "tools/cli/flags.h"
#include "tools/cli/recommendations_view.h"
#include "tools/cli/report_view.h"
#include "tools/cli/rpc_util.h"
#include "tools/cli/upload.h"
#include "tools/import/retail_import.h"
#include "tools/sim/shop_simulation.h"

namespace smartshop::cli {
namespace {

// The services a simulation talks to, one channel each.
struct Shop {
  Peer tracking{"tracking service", absl::GetFlag(FLAGS_tracking)};
  Peer recommender{"recommender service", absl::GetFlag(FLAGS_recommender)};
  std::unique_ptr<smartshop::v1::TrackingService::Stub> events =
      smartshop::v1::TrackingService::NewStub(Connect(tracking));
  std::unique_ptr<smartshop::v1::InsightsService::Stub> insights =
      smartshop::v1::InsightsService::NewStub(Connect(tracking));
  std::unique_ptr<smartshop::v1::RecommenderService::Stub> recommendations =
      smartshop::v1::RecommenderService::NewStub(Connect(recommender));
  std::unique_ptr<smartshop::v1::ExperimentService::Stub> experiments =
      smartshop::v1::ExperimentService::NewStub(Connect(recommender));
};

absl::StatusOr<smartshop::v1::Recommendations> Recommend(
    Shop& shop, const sim::Invoice& invoice, smartshop::v1::Placement placement,
    int64_t product_id) {
  smartshop::v1::GetRecommendationsRequest request;
  request.set_user_id(invoice.user_id);
  request.set_session_key(invoice.user_id.empty() ? invoice.session_key : "");
  request.set_placement(placement);
  if (placement == smartshop::v1::PLACEMENT_PRODUCT) {
    request.set_product_id(product_id);
  }
  smartshop::v1::Recommendations answer;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      shop.recommendations->GetRecommendations(context.get(), request, &answer);
  if (!status.ok()) {
    return CallError(shop.recommender, "RecommenderService.GetRecommendations",
                     status);
  }
  return answer;
}

absl::Status ShowImpressions(
    Shop& shop, const sim::Invoice& invoice,
    const std::vector<smartshop::v1::Recommendations>& answers) {
  smartshop::v1::TrackImpressionsRequest request;
  for (const auto& answer : answers) {
    auto* impression = request.add_impressions();
    impression->set_recommendation_id(answer.recommendation_id());
    impression->set_user_id(invoice.user_id);
    impression->set_session_key(invoice.session_key);
  }
  smartshop::v1::TrackImpressionsResponse response;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      shop.insights->TrackImpressions(context.get(), request, &response);
  if (!status.ok()) {
    return CallError(shop.tracking, "InsightsService.TrackImpressions", status);
  }
  if (response.rejected() > 0) {
    return absl::InternalError(absl::StrCat(
        "the tracking service rejected an impression: ",
        response.results(0).field(), ": ", response.results(0).error()));
  }
  return absl::OkStatus();
}

absl::Status TrackVisit(Shop& shop,
                        const std::vector<smartshop::v1::Interaction>& events) {
  constexpr size_t kBatch = 1000;
  for (size_t start = 0; start < events.size(); start += kBatch) {
    smartshop::v1::TrackBatchRequest request;
    for (size_t i = start; i < std::min(events.size(), start + kBatch); ++i) {
      *request.add_interactions() = events[i];
    }
    smartshop::v1::TrackBatchResponse response;
    auto context = CallContext(absl::GetFlag(FLAGS_timeout));
    const grpc::Status status =
        shop.events->TrackBatch(context.get(), request, &response);
    if (!status.ok()) {
      return CallError(shop.tracking, "TrackingService.TrackBatch", status);
    }
    if (response.rejected() > 0) {
      for (const auto& result : response.results()) {
        if (result.outcome() == smartshop::v1::REJECTED) {
          return absl::InternalError(absl::StrCat(
              "the tracking service rejected an event: ", result.field(), ": ",
              result.error()));
        }
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunSimulate(const Invocation& /*invocation*/, std::ostream& out) {
  const std::string experiment = absl::GetFlag(FLAGS_experiment);
  if (experiment.empty()) {
    return absl::InvalidArgumentError(
        "--experiment is required (an experiment of the recommender's "
        "--experiments_file running on PLACEMENT_HOME and PLACEMENT_PRODUCT)");
  }
  const std::string path = absl::GetFlag(FLAGS_csv);
  if (path.empty()) return absl::InvalidArgumentError("--csv is required");
  if (absl::GetFlag(FLAGS_row_limit) < 0) {
    return absl::InvalidArgumentError("--limit must be >= 0 (0 = all rows)");
  }
  std::ifstream in(path);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open --csv=", path, ": ", std::strerror(errno)));
  }
  absl::StatusOr<import::RetailImport> data =
      import::ReadRetailCsv(in, absl::GetFlag(FLAGS_row_limit));
  if (!data.ok()) {
    return absl::Status(data.status().code(),
                        absl::StrCat(path, ": ", data.status().message()));
  }
  const std::vector<sim::Invoice> invoices = sim::InvoicesOf(data->events);
  out << absl::StreamFormat(
      "Simulating %d visits (one per invoice of %s) against %s and %s\n",
      invoices.size(), path, absl::GetFlag(FLAGS_tracking),
      absl::GetFlag(FLAGS_recommender));
  // The catalog only: the shop's history is what the replay makes.
  const std::vector<smartshop::v1::Category> categories = {
      import::CatalogBuilder::Category()};
  const std::vector<smartshop::v1::Product> products = data->catalog.Products();
  if (absl::StatusOr<Uploaded> sent =
          Upload(CatalogToSend{categories, products}, std::nullopt, out);
      !sent.ok()) {
    return sent.status();
  }
  Shop shop;
  // The recommender loads the catalog every --catalog_refresh_interval:
  // visits before it sees the products would be shown nothing.
  const absl::Time catalog_deadline = absl::Now() + absl::Seconds(60);
  while (true) {
    absl::StatusOr<smartshop::v1::Recommendations> probe =
        Recommend(shop, sim::Invoice{}, smartshop::v1::PLACEMENT_HOME, 0);
    if (!probe.ok()) return probe.status();
    if (probe->items_size() > 0) break;
    if (absl::Now() > catalog_deadline) {
      return absl::DeadlineExceededError(
          "the recommender showed no products within 60 s of the catalog "
          "upload (its --catalog_refresh_interval?)");
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  int64_t clicks = 0;
  for (size_t i = 0; i < invoices.size(); ++i) {
    const sim::Invoice& invoice = invoices[i];
    if (invoice.lines.empty()) continue;
    std::vector<smartshop::v1::Recommendations> answers;
    for (auto placement :
         {smartshop::v1::PLACEMENT_HOME, smartshop::v1::PLACEMENT_PRODUCT}) {
      absl::StatusOr<smartshop::v1::Recommendations> answer =
          Recommend(shop, invoice, placement, invoice.lines.front().product_id);
      if (!answer.ok()) return answer.status();
      answers.push_back(*std::move(answer));
    }
    if (absl::Status shown = ShowImpressions(shop, invoice, answers);
        !shown.ok()) {
      return shown;
    }
    const std::vector<smartshop::v1::Interaction> events =
        sim::VisitEvents(invoice, answers, absl::Now());
    for (const auto& e : events) clicks += !e.recommendation_id().empty();
    if (absl::Status tracked = TrackVisit(shop, events); !tracked.ok()) {
      return tracked;
    }
    if ((i + 1) % 100 == 0) {
      out << absl::StreamFormat("  %d visits, %d clicks\n", i + 1, clicks);
    }
  }
  out << absl::StreamFormat("Done: %d visits, %d clicks on recommendations\n",
                            invoices.size(), clicks);
  // The recommender sends its served log about once a second.
  absl::SleepFor(absl::Seconds(3));
  smartshop::v1::GetExperimentReportRequest request;
  request.set_name(experiment);
  smartshop::v1::ExperimentReport report;
  auto context = CallContext(absl::GetFlag(FLAGS_timeout));
  const grpc::Status status =
      shop.experiments->GetExperimentReport(context.get(), request, &report);
  if (!status.ok()) {
    return CallError(shop.recommender, "ExperimentService.GetExperimentReport",
                     status);
  }
  if (absl::GetFlag(FLAGS_json)) {
    out << ToJson(report);
  } else {
    out << "\nExperiment " << experiment << " (" << report.state()
        << "): verdict at " << report.experiment().shoppers_per_variant()
        << " shoppers per variant\n"
        << ExperimentReportTable(report);
  }
  return absl::OkStatus();
}

}  // namespace smartshop::cli
