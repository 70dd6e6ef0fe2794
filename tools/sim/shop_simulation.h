// The shop simulation's behaviour model (smartshop simulate): the Online
// Retail sample replayed as visits. Each invoice is a visit: the shopper
// opens the home page and the product page of the invoice's first item,
// is shown both answers (impressions), clicks every recommended product
// that is among what they are about to buy (a click: view_product with the
// recommendation id and position, then add_to_cart), and buys the invoice
// as the data says (view, cart and order line for what was not clicked; an
// order line for all). So a ranker scores exactly when it recommends what
// the shopper buys next, and the experiment's report measures that.
#ifndef SMARTSHOP_TOOLS_SIM_SHOP_SIMULATION_H_
#define SMARTSHOP_TOOLS_SIM_SHOP_SIMULATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "absl/types/span.h"
#include "smartshop/v1/interaction.pb.h"
#include "smartshop/v1/recommender.pb.h"

namespace smartshop::sim {

struct InvoiceLine {
  int64_t product_id = 0;
  int32_t quantity = 1;
};

// One visit: an invoice of the data.
struct Invoice {
  std::string user_id = {};      // the customer; empty for a guest
  std::string session_key = {};  // guests: "guest-<InvoiceNo>"
  int64_t order_id = 0;
  absl::Time time = {};
  std::vector<InvoiceLine> lines =
      {};  // in the file's order, products distinct
};

// The invoices of an import's ORDER_PLACED events, in time order (ties in
// file order); repeated products of one invoice merged (quantities added).
std::vector<Invoice> InvoicesOf(
    absl::Span<const smartshop::v1::Interaction> events);

// What the shopper does after seeing `answers` (the home page's and the
// product page's), as events timed from `now` a millisecond apart, in
// order: the first item's view, then clicks (and their carts), then the
// rest of the basket, then every order line.
std::vector<smartshop::v1::Interaction> VisitEvents(
    const Invoice& invoice,
    absl::Span<const smartshop::v1::Recommendations> answers, absl::Time now);

}  // namespace smartshop::sim

#endif  // SMARTSHOP_TOOLS_SIM_SHOP_SIMULATION_H_
