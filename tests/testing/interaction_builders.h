// Interactions as tests write them: the fields tracking requires of each
// type filled in, so that a test names only what it is about.
#ifndef SMARTSHOP_TESTS_TESTING_INTERACTION_BUILDERS_H_
#define SMARTSHOP_TESTS_TESTING_INTERACTION_BUILDERS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::testing {

// A shopper's event of `type` on `product`, by `user` or (when empty) the
// anonymous `session`: quantity 1 for cart events and the product as the
// order for ORDER_PLACED. Without `at`, no timestamp (the server stamps
// it on receipt).
smartshop::v1::Interaction ShopperEvent(smartshop::v1::InteractionType type,
                                        const std::string& user,
                                        const std::string& session,
                                        int64_t product,
                                        absl::Time at = absl::InfinitePast());

// `user` viewed `product` at `at`.
smartshop::v1::Interaction UserView(const std::string& user, int64_t product,
                                    absl::Time at);

}  // namespace smartshop::testing

#endif  // SMARTSHOP_TESTS_TESTING_INTERACTION_BUILDERS_H_
