// How an invoice line of the Online Retail data becomes interactions: a
// VIEW_PRODUCT one minute before an ORDER_PLACED, both with event ids derived
// from the row number, so that importing the same file again stores nothing
// new.
#ifndef SMARTSHOP_TOOLS_IMPORT_EVENT_MAPPING_H_
#define SMARTSHOP_TOOLS_IMPORT_EVENT_MAPPING_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "smartshop/v1/interaction.pb.h"
#include "tools/import/retail_row.h"

namespace smartshop::import {

// The tracking service's largest accepted quantity (interaction.proto).
inline constexpr int64_t kMaxQuantity = 1'000'000;

// Why `line` is no sale (a cancellation, or a stock adjustment with a
// quantity <= 0), or nullopt when it becomes events.
std::optional<RowIssue> WhyNotASale(const RetailLine& line);

// UUID v5 (SHA-1) of `name` in a namespace fixed for the importers: the
// same name gives the same event id on every run. Each dataset's names
// start with its own prefix, so they never collide.
std::string NameUuid(absl::string_view name);

// NameUuid("online-retail:<row>:<kind>").
std::string EventId(int64_t row, absl::string_view kind);

// The kinds named in event ids.
inline constexpr absl::string_view kViewKind = "view";
inline constexpr absl::string_view kOrderKind = "order";

// REQUIRES: WhyNotASale(line) is nullopt and product_id > 0.
// {VIEW_PRODUCT at InvoiceDate - 1 minute, ORDER_PLACED at InvoiceDate}, for
// the customer, or for session "guest-<InvoiceNo>" when there is none.
std::array<smartshop::v1::Interaction, 2> ToEvents(const RetailLine& line,
                                                   int64_t product_id);

}  // namespace smartshop::import

#endif  // SMARTSHOP_TOOLS_IMPORT_EVENT_MAPPING_H_
