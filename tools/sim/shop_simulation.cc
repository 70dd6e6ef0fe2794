#include "tools/sim/shop_simulation.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/proto_time.h"

namespace smartshop::sim {
using smartshop::v1::Interaction;

std::vector<Invoice> InvoicesOf(absl::Span<const Interaction> events) {
  std::vector<Invoice> invoices;
  // By order and shopper: a guest's order id is its invoice too.
  absl::flat_hash_map<std::string, size_t> index;
  for (const Interaction& e : events) {
    if (e.type() != smartshop::v1::ORDER_PLACED || e.product_id() <= 0) {
      continue;
    }
    const std::string key =
        absl::StrCat(e.order_id(), "/", e.user_id(), "/", e.session_key());
    auto [it, added] = index.try_emplace(key, invoices.size());
    if (added) {
      invoices.push_back({.user_id = e.user_id(),
                          .session_key = e.session_key(),
                          .order_id = e.order_id(),
                          .time = ToTime(e.timestamp())});
    }
    Invoice& invoice = invoices[it->second];
    invoice.time = std::min(invoice.time, ToTime(e.timestamp()));
    const int32_t quantity = std::max(1, e.quantity());
    auto line = std::find_if(
        invoice.lines.begin(), invoice.lines.end(),
        [&](const InvoiceLine& l) { return l.product_id == e.product_id(); });
    if (line == invoice.lines.end()) {
      invoice.lines.push_back({e.product_id(), quantity});
    } else {
      line->quantity += quantity;
    }
  }
  std::stable_sort(
      invoices.begin(), invoices.end(),
      [](const Invoice& a, const Invoice& b) { return a.time < b.time; });
  return invoices;
}

std::vector<Interaction> VisitEvents(
    const Invoice& invoice,
    absl::Span<const smartshop::v1::Recommendations> answers, absl::Time now) {
  std::vector<Interaction> events;
  auto add = [&](smartshop::v1::InteractionType type, int64_t product) {
    Interaction e;
    e.set_user_id(invoice.user_id);
    e.set_session_key(invoice.session_key);
    e.set_type(type);
    e.set_product_id(product);
    SetTimestamp(now + absl::Milliseconds(static_cast<int64_t>(events.size())),
                 e.mutable_timestamp());
    events.push_back(std::move(e));
    return &events.back();
  };
  if (invoice.lines.empty()) return events;
  const int64_t first = invoice.lines.front().product_id;
  add(smartshop::v1::VIEW_PRODUCT, first);
  absl::flat_hash_set<int64_t> basket;
  for (const InvoiceLine& line : invoice.lines) basket.insert(line.product_id);
  absl::flat_hash_set<int64_t> clicked = {first};
  for (const smartshop::v1::Recommendations& answer : answers) {
    for (const auto& item : answer.items()) {
      const int64_t product = item.product().id();
      if (!basket.contains(product) || !clicked.insert(product).second) {
        continue;
      }
      Interaction* click = add(smartshop::v1::VIEW_PRODUCT, product);
      click->set_recommendation_id(answer.recommendation_id());
      click->set_position(item.position());
      add(smartshop::v1::ADD_TO_CART, product)->set_quantity(1);
    }
  }
  for (const InvoiceLine& line : invoice.lines) {
    if (line.product_id != first && clicked.contains(line.product_id)) continue;
    if (line.product_id != first) {
      add(smartshop::v1::VIEW_PRODUCT, line.product_id);
    }
    add(smartshop::v1::ADD_TO_CART, line.product_id)->set_quantity(1);
  }
  for (const InvoiceLine& line : invoice.lines) {
    Interaction* order = add(smartshop::v1::ORDER_PLACED, line.product_id);
    order->set_order_id(invoice.order_id);
    order->set_quantity(line.quantity);
  }
  return events;
}

}  // namespace smartshop::sim
