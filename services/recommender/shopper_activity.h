// What the engine reads about a shopper from the tracking service: the
// original windows (a user's last 50 and everyone else's last 50, or the
// last 100 overall for anonymous visitors), an anonymous session's own last
// 50, and what a user ordered recently.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_SHOPPER_ACTIVITY_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_SHOPPER_ACTIVITY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/recommender/tracking_reader.h"
#include "smartshop/v1/interaction.pb.h"

namespace smartshop::recommender {

struct Shopper {
  std::string user_id;      // empty = anonymous
  std::string session_key;  // used only when user_id is empty
};

// An anonymous visitor with a session of its own.
inline bool IsSession(const Shopper& shopper) {
  return shopper.user_id.empty() && !shopper.session_key.empty();
}

// How many of a user's (or a session's) own latest events are read: the
// original window.
inline constexpr int kOwnWindowSize = 50;

struct ShopperActivity {
  // The user's or the session's own events, newest first.
  std::vector<smartshop::v1::Interaction> own;
  // Everyone else's recent events, newest first.
  std::vector<smartshop::v1::Interaction> others = {};
};

// View, cart and order events only. Fails when a tracking call fails.
absl::StatusOr<ShopperActivity> ReadShopperActivity(TrackingReader& tracking,
                                                    const Shopper& shopper,
                                                    absl::Time deadline);
// Only the shopper's own window (empty for an anonymous visitor, without
// a call): what the placements other than the home page personalise with.
absl::StatusOr<std::vector<smartshop::v1::Interaction>> ReadOwnActivity(
    TrackingReader& tracking, const Shopper& shopper, absl::Time deadline);

// Products the user ordered at or after `since`, from their latest 1000
// orders.
absl::StatusOr<std::vector<int64_t>> RecentlyOrderedProducts(
    TrackingReader& tracking, const std::string& user_id, absl::Time since,
    absl::Time deadline);

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_SHOPPER_ACTIVITY_H_
