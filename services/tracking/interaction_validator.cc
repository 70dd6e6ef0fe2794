#include "services/tracking/interaction_validator.h"

#include <arpa/inet.h>

#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "boost/json.hpp"
#include "boost/uuid/random_generator.hpp"
#include "boost/uuid/string_generator.hpp"
#include "boost/uuid/uuid_io.hpp"
#include "common/proto_time.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::InteractionType;

constexpr std::array<std::pair<InteractionType, absl::string_view>, 9>
    kTypeNames = {{
        {smartshop::v1::VIEW_CATEGORY, "view_category"},
        {smartshop::v1::VIEW_PRODUCT, "view_product"},
        {smartshop::v1::ADD_TO_CART, "add_to_cart"},
        {smartshop::v1::UPDATE_CART, "update_cart"},
        {smartshop::v1::REMOVE_FROM_CART, "remove_from_cart"},
        {smartshop::v1::CHECKOUT_STARTED, "checkout_started"},
        {smartshop::v1::ORDER_PLACED, "order_placed"},
        {smartshop::v1::SEARCH, "search"},
        {smartshop::v1::REVIEW_SUBMITTED, "review_submitted"},
    }};

bool NeedsProduct(InteractionType type) {
  switch (type) {
    case smartshop::v1::VIEW_PRODUCT:
    case smartshop::v1::ADD_TO_CART:
    case smartshop::v1::UPDATE_CART:
    case smartshop::v1::REMOVE_FROM_CART:
    case smartshop::v1::REVIEW_SUBMITTED:
      return true;
    default:
      return false;
  }
}

std::optional<FieldViolation> CheckText(absl::string_view field,
                                        absl::string_view value,
                                        size_t max_bytes) {
  if (value.size() > max_bytes) {
    return FieldViolation{
        std::string(field),
        absl::StrCat("longer than ", max_bytes, " bytes (", value.size(), ")")};
  }
  if (!IsStorableText(value)) {
    return FieldViolation{std::string(field),
                          "must be valid UTF-8 without NUL characters"};
  }
  return std::nullopt;
}

// jsonb rejects \u0000 anywhere, in keys as in values.
bool HasNul(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return value.get_string().find('\0') != boost::json::string::npos;
    case boost::json::kind::array:
      for (const auto& item : value.get_array()) {
        if (HasNul(item)) return true;
      }
      return false;
    case boost::json::kind::object:
      for (const auto& [key, item] : value.get_object()) {
        if (key.find('\0') != absl::string_view::npos || HasNul(item)) {
          return true;
        }
      }
      return false;
    default:
      return false;
  }
}

std::optional<FieldViolation> CheckExtraData(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.size() > kMaxExtraDataBytes) {
    return FieldViolation{"extra_data",
                          absl::StrCat("longer than ", kMaxExtraDataBytes,
                                       " bytes (", text.size(), ")")};
  }
  boost::json::parse_options options;
  options.max_depth = kMaxExtraDataDepth;
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(
      std::string_view(text.data(), text.size()), ec, {}, options);
  if (ec) {
    return FieldViolation{"extra_data",
                          absl::StrCat("not valid JSON: ", ec.message())};
  }
  if (!value.is_object()) {
    return FieldViolation{"extra_data", "must be a JSON object"};
  }
  if (HasNul(value)) {
    return FieldViolation{"extra_data", "must not contain \\u0000"};
  }
  return std::nullopt;
}

bool IsIpAddress(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

}  // namespace

std::optional<std::string> CanonicalUuid(const std::string& text) {
  try {
    return boost::uuids::to_string(boost::uuids::string_generator()(text));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<FieldViolation> FindAttributionProblem(const Interaction& event) {
  if (!event.recommendation_id().empty() &&
      !CanonicalUuid(event.recommendation_id())) {
    return FieldViolation{"recommendation_id", "not a UUID; stored without it"};
  }
  if (event.position() < 0 || event.position() > kMaxInteractionPosition) {
    return FieldViolation{"position",
                          absl::StrCat("must be 0 to ", kMaxInteractionPosition,
                                       "; stored without it")};
  }
  if (event.position() != 0 && event.recommendation_id().empty()) {
    return FieldViolation{"position",
                          "only with a recommendation_id; stored without it"};
  }
  return std::nullopt;
}

absl::string_view TypeName(InteractionType type) {
  for (const auto& [t, name] : kTypeNames) {
    if (t == type) return name;
  }
  return {};
}

InteractionType TypeFromName(absl::string_view name) {
  for (const auto& [t, n] : kTypeNames) {
    if (n == name) return t;
  }
  return smartshop::v1::INTERACTION_TYPE_UNSPECIFIED;
}

std::optional<FieldViolation> FindViolation(const Interaction& event,
                                            absl::Time now) {
  const InteractionType type = event.type();
  if (TypeName(type).empty()) {
    return FieldViolation{
        "type",
        absl::StrCat("unknown interaction type ", static_cast<int>(type),
                     type == 0 ? " (INTERACTION_TYPE_UNSPECIFIED)" : "")};
  }
  if (!event.event_id().empty() && !CanonicalUuid(event.event_id())) {
    return FieldViolation{"event_id", "must be a UUID or empty"};
  }
  if (event.user_id().empty() && event.session_key().empty()) {
    return FieldViolation{"user_id", "user_id or session_key is required"};
  }
  const std::initializer_list<
      std::tuple<absl::string_view, const std::string*, size_t>>
      texts = {
          {"user_id", &event.user_id(), kMaxIdBytes},
          {"session_key", &event.session_key(), kMaxIdBytes},
          {"search_query", &event.search_query(), kMaxSearchQueryBytes},
          {"page_url", &event.page_url(), kMaxUrlBytes},
          {"referrer_url", &event.referrer_url(), kMaxUrlBytes},
          {"user_agent", &event.user_agent(), kMaxUserAgentBytes},
      };
  for (const auto& [field, value, max_bytes] : texts) {
    if (auto violation = CheckText(field, *value, max_bytes)) return violation;
  }
  for (const auto& [field, value] :
       {std::pair<absl::string_view, int64_t>{"product_id", event.product_id()},
        {"category_id", event.category_id()},
        {"order_id", event.order_id()}}) {
    if (value < 0) {
      return FieldViolation{std::string(field), "must not be negative"};
    }
  }
  if (NeedsProduct(type) && event.product_id() == 0) {
    return FieldViolation{"product_id",
                          absl::StrCat("required for ", TypeName(type))};
  }
  if (type == smartshop::v1::VIEW_CATEGORY && event.category_id() == 0) {
    return FieldViolation{"category_id", "required for view_category"};
  }
  if (type == smartshop::v1::ORDER_PLACED && event.order_id() == 0) {
    return FieldViolation{"order_id", "required for order_placed"};
  }
  if (type == smartshop::v1::SEARCH &&
      absl::StripAsciiWhitespace(event.search_query()).empty()) {
    return FieldViolation{"search_query", "required for search"};
  }
  const int min_quantity = type == smartshop::v1::ADD_TO_CART ? 1 : 0;
  if (event.quantity() < min_quantity) {
    return FieldViolation{
        "quantity",
        absl::StrCat("must be at least ", min_quantity, " for ", TypeName(type),
                     " (got ", event.quantity(), ")")};
  }
  if (event.quantity() > kMaxQuantity) {
    return FieldViolation{"quantity",
                          absl::StrCat("must be at most ", kMaxQuantity)};
  }
  if (!event.ip_address().empty() && !IsIpAddress(event.ip_address())) {
    return FieldViolation{"ip_address", "not an IPv4 or IPv6 address"};
  }
  if (auto violation = CheckExtraData(event.extra_data())) return violation;
  if (event.has_timestamp()) {
    const google::protobuf::Timestamp& ts = event.timestamp();
    if (ts.nanos() < 0 || ts.nanos() > 999'999'999) {
      return FieldViolation{"timestamp", "nanos must be 0 to 999999999"};
    }
    if (ts.seconds() < kEarliestEventUnixSeconds) {
      return FieldViolation{"timestamp",
                            absl::StrCat("before ", kEarliestEventText)};
    }
    if (ToTime(ts) > now + kMaxFutureSkew) {
      return FieldViolation{"timestamp", "more than 5 minutes in the future"};
    }
  }
  return std::nullopt;
}

bool IsValidTimestamp(const google::protobuf::Timestamp& ts) {
  // The range google/protobuf/timestamp.proto allows: 0001-01-01 to
  // 9999-12-31.
  return ts.seconds() >= -62'135'596'800 && ts.seconds() <= 253'402'300'799 &&
         ts.nanos() >= 0 && ts.nanos() <= 999'999'999;
}

absl::Status ToStatus(const FieldViolation& violation) {
  return absl::InvalidArgumentError(
      absl::StrCat(violation.field, ": ", violation.description));
}

Interaction Normalize(Interaction event, absl::Time now) {
  if (event.event_id().empty()) {
    thread_local boost::uuids::random_generator generate;
    event.set_event_id(boost::uuids::to_string(generate()));
  } else {
    event.set_event_id(*CanonicalUuid(event.event_id()));
  }
  if (!event.has_timestamp()) {
    // To the microsecond: what Postgres keeps.
    SetTimestamp(absl::FromUnixMicros(absl::ToUnixMicros(now)),
                 event.mutable_timestamp());
  }
  if (event.extra_data().empty()) event.set_extra_data("{}");
  event.set_sequence(0);
  if (auto problem = FindAttributionProblem(event)) {
    // A bad id takes its position with it: a position means nothing alone.
    if (problem->field == "recommendation_id") event.clear_recommendation_id();
    event.clear_position();
  }
  if (!event.recommendation_id().empty()) {
    event.set_recommendation_id(*CanonicalUuid(event.recommendation_id()));
  }
  return event;
}

}  // namespace smartshop::tracking
