#include "tools/import/event_mapping.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "boost/uuid/name_generator_sha1.hpp"
#include "boost/uuid/string_generator.hpp"
#include "boost/uuid/uuid_io.hpp"
#include "common/proto_time.h"

namespace smartshop::import {
namespace {

using smartshop::v1::Interaction;

// Chosen once for this importer; changing it would make every re-import
// store all events again.
constexpr char kEventIdNamespace[] = "a9b13b05-bb8f-423f-9dc5-20e888e2e4dc";

void SetTime(absl::Time time, Interaction& event) {
  SetTimestamp(time, event.mutable_timestamp());
}

}  // namespace

std::optional<RowIssue> WhyNotASale(const RetailLine& line) {
  if (line.cancelled) {
    return RowIssue{"cancellation (InvoiceNo starts with C)",
                    absl::StrCat("invoice ", line.invoice_no, ", quantity ",
                                 line.quantity)};
  }
  if (line.quantity <= 0) {
    return RowIssue{"non-positive Quantity on an invoice (stock adjustment)",
                    absl::StrCat("invoice ", line.invoice_no, ", quantity ",
                                 line.quantity)};
  }
  if (line.quantity > kMaxQuantity) {
    return RowIssue{
        absl::StrCat("Quantity above the service's limit of ", kMaxQuantity),
        absl::StrCat("invoice ", line.invoice_no, ", quantity ",
                     line.quantity)};
  }
  return std::nullopt;
}

std::string NameUuid(absl::string_view name) {
  static const boost::uuids::uuid kNamespaceUuid =
      boost::uuids::string_generator()(kEventIdNamespace);
  boost::uuids::name_generator_sha1 generate(kNamespaceUuid);
  return boost::uuids::to_string(generate(name.data(), name.size()));
}

std::string EventId(int64_t row, absl::string_view kind) {
  return NameUuid(absl::StrCat("online-retail:", row, ":", kind));
}

std::array<Interaction, 2> ToEvents(const RetailLine& line,
                                    int64_t product_id) {
  Interaction order;
  if (line.customer_id.empty()) {
    order.set_session_key(absl::StrCat("guest-", line.invoice_no));
  } else {
    order.set_user_id(line.customer_id);
  }
  order.set_product_id(product_id);

  Interaction view = order;
  view.set_event_id(EventId(line.row, kViewKind));
  view.set_type(smartshop::v1::VIEW_PRODUCT);
  SetTime(line.time - absl::Minutes(1), view);

  order.set_event_id(EventId(line.row, kOrderKind));
  order.set_type(smartshop::v1::ORDER_PLACED);
  order.set_order_id(line.invoice_number);
  order.set_quantity(static_cast<int32_t>(line.quantity));
  SetTime(line.time, order);
  return {std::move(view), std::move(order)};
}

}  // namespace smartshop::import
