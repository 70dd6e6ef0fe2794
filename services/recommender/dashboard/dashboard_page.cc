#include "services/recommender/dashboard/dashboard_page.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "boost/json.hpp"
#include "common/json_log.h"
#include "google/protobuf/util/json_util.h"
#include "services/recommender/dashboard/dashboard_assets.h"

namespace smartshop::recommender {
namespace {

namespace json = boost::json;

// The page may reach nothing but its own origin (the data); inline script
// and style are its only code, and it never inserts markup from the data.
constexpr char kPagePolicy[] =
    "default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

AdminResponse Text(int status, absl::string_view message) {
  return {.status = status,
          .body = absl::StrCat(message, "\n"),
          .headers = {{"Cache-Control", "no-store"},
                      {"X-Content-Type-Options", "nosniff"}}};
}

// The message in protobuf's JSON mapping, as a Boost.JSON value.
json::value ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string text;
  // Only fails for Any holding an unknown type, which these messages lack.
  if (!google::protobuf::util::MessageToJsonString(message, &text, options)
           .ok()) {
    return nullptr;
  }
  return json::parse(text);
}

json::value TimeJson(absl::Time time) {
  if (time == absl::InfinitePast() || time == absl::InfiniteFuture()) {
    return nullptr;
  }
  return json::string(
      absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", time, absl::UTCTimeZone()));
}

// The range of a data request's query: "range=7d"; absent = 24h.
absl::StatusOr<DashboardRange> RangeOfQuery(absl::string_view query) {
  std::string range = "24h";
  bool seen = false;
  for (absl::string_view part : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    const auto [name, value] = std::pair<absl::string_view, absl::string_view>(
        absl::StrSplit(part, absl::MaxSplits('=', 1)));
    if (name != "range") {
      return absl::InvalidArgumentError(
          "unknown query parameter: only range is accepted");
    }
    if (seen) return absl::InvalidArgumentError("range is given twice");
    seen = true;
    range = std::string(value);
  }
  return ParseDashboardRange(range);
}

}  // namespace

absl::StatusOr<DashboardRange> ParseDashboardRange(absl::string_view name) {
  if (name == "24h") return DashboardRange{"24h", absl::Hours(24)};
  if (name == "7d") return DashboardRange{"7d", absl::Hours(24 * 7)};
  if (name == "30d") return DashboardRange{"30d", absl::Hours(24 * 30)};
  return absl::InvalidArgumentError("range must be 24h, 7d or 30d");
}

std::string DashboardJson(const DashboardData& data) {
  json::array experiments;
  for (const v1::ExperimentReport& report : data.experiments) {
    experiments.push_back(ProtoJson(report));
  }
  const json::object envelope{
      {"range", data.range},
      {"since", TimeJson(data.since)},
      {"until", TimeJson(data.until)},
      {"catalog_active_products", data.catalog_active_products},
      {"insights",
       {{"placement", ProtoJson(data.by_placement)},
        {"strategy", ProtoJson(data.by_strategy)},
        {"day", ProtoJson(data.by_day)},
        {"position", ProtoJson(data.by_position)}}},
      {"experiments", std::move(experiments)}};
  return json::serialize(envelope);
}

const std::string& DashboardHtml() {
  // The one file of DashboardAssets().
  return DashboardAssets().front().content;
}

std::vector<AdminRoute> DashboardRoutes(
    DashboardSource* source,
    std::function<bool(absl::string_view authorization)> allowed,
    absl::Duration load_timeout) {
  // The page holds no data: anyone reaching the port may load it, and it
  // asks for a token before it asks for data.
  auto page = [](const AdminRequest&) {
    return AdminResponse{.content_type = "text/html; charset=utf-8",
                         .body = DashboardHtml(),
                         .headers = {{"Content-Security-Policy", kPagePolicy},
                                     {"X-Content-Type-Options", "nosniff"},
                                     {"Referrer-Policy", "no-referrer"},
                                     {"Cache-Control", "no-cache"}}};
  };
  auto data = [source, allowed = std::move(allowed),
               load_timeout](const AdminRequest& request) {
    // Authorization first: an outsider learns nothing, not even which
    // parameters exist.
    if (allowed == nullptr || !allowed(request.authorization)) {
      AdminResponse refused =
          Text(401, "a token with the read scope is required");
      refused.headers.emplace_back("WWW-Authenticate",
                                   "Bearer realm=\"dashboard\"");
      return refused;
    }
    absl::StatusOr<DashboardRange> range = RangeOfQuery(request.query);
    if (!range.ok()) return Text(400, range.status().message());
    absl::StatusOr<DashboardData> loaded =
        source->Load(range->name, absl::Now() + load_timeout);
    if (!loaded.ok()) {
      // The cause is for the logs: a page never shows a library's text.
      Log(LogLevel::kWarning, "dashboard_load_failed",
          {{"range", range->name},
           {"code", absl::StatusCodeToString(loaded.status().code())},
           {"error", loaded.status().message()}});
      return Text(503, "the dashboard data is unavailable; try again shortly");
    }
    if (loaded->range.empty()) loaded->range = range->name;
    return AdminResponse{.content_type = "application/json",
                         .body = DashboardJson(*loaded),
                         .headers = {{"Cache-Control", "no-store"},
                                     {"X-Content-Type-Options", "nosniff"}}};
  };
  return {{.path = "/dashboard", .handler = page},
          {.path = "/dashboard/", .handler = page},
          {.path = "/dashboard/data", .handler = std::move(data)}};
}

}  // namespace smartshop::recommender
