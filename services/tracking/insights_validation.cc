#include "services/tracking/insights_validation.h"

#include <cmath>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "boost/uuid/random_generator.hpp"
#include "boost/uuid/uuid_io.hpp"
#include "common/proto_time.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Impression;
using smartshop::v1::ServedRecommendation;

// A time as events may carry: valid nanos, 1990 to now + 5 minutes.
std::optional<std::string> TimeProblem(const google::protobuf::Timestamp& ts,
                                       absl::Time now) {
  if (ts.nanos() < 0 || ts.nanos() > 999'999'999) {
    return "nanos must be 0 to 999999999";
  }
  if (ts.seconds() < kEarliestEventUnixSeconds) {
    return absl::StrCat("before ", kEarliestEventText);
  }
  if (ToTime(ts) > now + kMaxFutureSkew) {
    return "more than 5 minutes in the future";
  }
  return std::nullopt;
}

std::optional<std::string> TextProblem(absl::string_view value) {
  if (value.size() > kMaxInsightsTextBytes) {
    return absl::StrCat("longer than ", kMaxInsightsTextBytes, " bytes (",
                        value.size(), ")");
  }
  if (!IsStorableText(value)) {
    return "must be valid UTF-8 without NUL characters";
  }
  return std::nullopt;
}

// The first problem of one answer: the field (within the answer) and why.
std::optional<FieldViolation> ServedProblem(const ServedRecommendation& s,
                                            absl::Time now) {
  if (s.recommendation_id().empty()) {
    return FieldViolation{"recommendation_id", "required"};
  }
  if (!CanonicalUuid(s.recommendation_id())) {
    return FieldViolation{"recommendation_id", "not a UUID"};
  }
  if (!s.has_served_at()) return FieldViolation{"served_at", "required"};
  if (auto problem = TimeProblem(s.served_at(), now)) {
    return FieldViolation{"served_at", *problem};
  }
  if (!smartshop::v1::Placement_IsValid(s.placement())) {
    return FieldViolation{"placement",
                          absl::StrCat("unknown placement ", s.placement())};
  }
  if (!smartshop::v1::Strategy_IsValid(s.strategy())) {
    return FieldViolation{"strategy",
                          absl::StrCat("unknown strategy ", s.strategy())};
  }
  for (const auto& [field, value] :
       {std::pair<absl::string_view, const std::string*>{"user_id",
                                                         &s.user_id()},
        {"session_key", &s.session_key()},
        {"experiment", &s.experiment()},
        {"variant", &s.variant()},
        {"fallback_code", &s.fallback_code()}}) {
    if (auto problem = TextProblem(*value)) {
      return FieldViolation{std::string(field), *problem};
    }
  }
  if (s.product_ids_size() > kMaxServedProducts) {
    return FieldViolation{"product_ids",
                          absl::StrCat("more than ", kMaxServedProducts, " (",
                                       s.product_ids_size(), ")")};
  }
  for (int i = 0; i < s.product_ids_size(); ++i) {
    if (s.product_ids(i) <= 0) {
      return FieldViolation{absl::StrCat("product_ids[", i, "]"),
                            "must be positive"};
    }
  }
  if (s.model_calls() < 0) {
    return FieldViolation{"model_calls", "must not be negative"};
  }
  if (!std::isfinite(s.model_cost_usd()) || s.model_cost_usd() < 0) {
    return FieldViolation{"model_cost_usd",
                          "must be a finite number, not negative"};
  }
  if (s.latency_micros() < 0) {
    return FieldViolation{"latency_micros", "must not be negative"};
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::vector<ServedRecommendation>> ValidateServed(
    const smartshop::v1::RecordServedRequest& request, absl::Time now) {
  if (request.served_size() > kMaxServedPerCall) {
    return absl::InvalidArgumentError(absl::StrCat(
        "served: ", request.served_size(), " answers is over the limit of ",
        kMaxServedPerCall, " per call"));
  }
  std::vector<ServedRecommendation> served;
  served.reserve(request.served_size());
  for (int i = 0; i < request.served_size(); ++i) {
    if (auto problem = ServedProblem(request.served(i), now)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "served[", i, "].", problem->field, ": ", problem->description));
    }
    ServedRecommendation s = request.served(i);
    s.set_recommendation_id(*CanonicalUuid(s.recommendation_id()));
    served.push_back(std::move(s));
  }
  return served;
}

std::optional<FieldViolation> FindImpressionViolation(const Impression& m,
                                                      absl::Time now) {
  if (!m.event_id().empty() && !CanonicalUuid(m.event_id())) {
    return FieldViolation{"event_id", "must be a UUID or empty"};
  }
  if (m.recommendation_id().empty()) {
    return FieldViolation{"recommendation_id", "required"};
  }
  if (!CanonicalUuid(m.recommendation_id())) {
    return FieldViolation{"recommendation_id", "not a UUID"};
  }
  if (m.user_id().empty() && m.session_key().empty()) {
    return FieldViolation{"user_id", "user_id or session_key is required"};
  }
  for (const auto& [field, value] :
       {std::pair<absl::string_view, const std::string*>{"user_id",
                                                         &m.user_id()},
        {"session_key", &m.session_key()}}) {
    if (value->size() > kMaxIdBytes) {
      return FieldViolation{std::string(field),
                            absl::StrCat("longer than ", kMaxIdBytes,
                                         " bytes (", value->size(), ")")};
    }
    if (!IsStorableText(*value)) {
      return FieldViolation{std::string(field),
                            "must be valid UTF-8 without NUL characters"};
    }
  }
  absl::flat_hash_set<int> seen;
  for (int i = 0; i < m.positions_size(); ++i) {
    const int position = m.positions(i);
    if (position < 1 || position > kMaxImpressionPosition) {
      return FieldViolation{
          absl::StrCat("positions[", i, "]"),
          absl::StrCat("must be 1 to ", kMaxImpressionPosition, " (got ",
                       position, ")")};
    }
    if (!seen.insert(position).second) {
      return FieldViolation{absl::StrCat("positions[", i, "]"),
                            absl::StrCat("position ", position, " repeated")};
    }
  }
  if (m.has_timestamp()) {
    if (auto problem = TimeProblem(m.timestamp(), now)) {
      return FieldViolation{"timestamp", *problem};
    }
  }
  return std::nullopt;
}

Impression NormalizeImpression(Impression m, absl::Time now) {
  if (m.event_id().empty()) {
    thread_local boost::uuids::random_generator generate;
    m.set_event_id(boost::uuids::to_string(generate()));
  } else {
    m.set_event_id(*CanonicalUuid(m.event_id()));
  }
  m.set_recommendation_id(*CanonicalUuid(m.recommendation_id()));
  if (!m.has_timestamp()) {
    // To the microsecond: what Postgres keeps.
    SetTimestamp(absl::FromUnixMicros(absl::ToUnixMicros(now)),
                 m.mutable_timestamp());
  }
  return m;
}

absl::StatusOr<InsightsQuery> ToInsightsQuery(
    const smartshop::v1::GetInsightsRequest& request) {
  InsightsQuery query;
  for (const auto& [field, has, ts] :
       {std::tuple<absl::string_view, bool, const google::protobuf::Timestamp*>{
            "since", request.has_since(), &request.since()},
        {"until", request.has_until(), &request.until()}}) {
    if (!has)
      return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
    if (!IsValidTimestamp(*ts)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": out of the valid range"));
    }
  }
  query.since = ToTime(request.since());
  query.until = ToTime(request.until());
  if (query.until <= query.since) {
    return absl::InvalidArgumentError("until: must be after since");
  }
  if (query.until - query.since > kMaxInsightsRange) {
    return absl::InvalidArgumentError(absl::StrCat(
        "until: at most ", absl::ToInt64Hours(kMaxInsightsRange) / 24,
        " days after since"));
  }
  if (!smartshop::v1::InsightsGrouping_IsValid(request.group_by())) {
    return absl::InvalidArgumentError(
        absl::StrCat("group_by: unknown grouping ", request.group_by()));
  }
  query.group_by = request.group_by();
  if (request.experiment().size() > kMaxInsightsTextBytes ||
      !IsStorableText(request.experiment())) {
    return absl::InvalidArgumentError(
        absl::StrCat("experiment: must be valid UTF-8 of at most ",
                     kMaxInsightsTextBytes, " bytes without NUL"));
  }
  if (query.group_by == smartshop::v1::INSIGHTS_GROUPING_VARIANT &&
      request.experiment().empty()) {
    return absl::InvalidArgumentError(
        "experiment: required for INSIGHTS_GROUPING_VARIANT");
  }
  query.experiment = request.experiment();
  if (!request.all_placements()) {
    if (!smartshop::v1::Placement_IsValid(request.placement())) {
      return absl::InvalidArgumentError(
          absl::StrCat("placement: unknown placement ", request.placement()));
    }
    query.placement = request.placement();
  }
  const int hours = request.conversion_window_hours();
  if (hours < 0 || hours > kMaxConversionWindowHours) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conversion_window_hours: must be 0 (default ",
        kDefaultConversionWindowHours, ") to ", kMaxConversionWindowHours));
  }
  query.conversion_window =
      absl::Hours(hours == 0 ? kDefaultConversionWindowHours : hours);
  return query;
}

}  // namespace smartshop::tracking
