#include "tools/bench/synthetic_events.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"
#include "services/tracking/interaction_validator.h"

namespace smartshop::bench {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::InteractionType;

constexpr char kShop[] = "https://shop.example.com";

// Roughly what a shop's event log looks like: mostly product views.
struct TypeWeight {
  InteractionType type;
  int weight;
};
constexpr std::array<TypeWeight, 9> kTypeMix = {{
    {smartshop::v1::VIEW_PRODUCT, 55},
    {smartshop::v1::VIEW_CATEGORY, 10},
    {smartshop::v1::SEARCH, 10},
    {smartshop::v1::ADD_TO_CART, 10},
    {smartshop::v1::UPDATE_CART, 3},
    {smartshop::v1::REMOVE_FROM_CART, 3},
    {smartshop::v1::CHECKOUT_STARTED, 4},
    {smartshop::v1::ORDER_PLACED, 3},
    {smartshop::v1::REVIEW_SUBMITTED, 2},
}};

constexpr std::array<absl::string_view, 4> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 "
    "Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
};

constexpr std::array<absl::string_view, 12> kSearchWords = {
    "running shoes", "wireless headphones", "coffee grinder", "yoga mat",
    "usb-c charger", "winter jacket",       "desk lamp",      "backpack",
    "water bottle",  "gaming mouse",        "sunglasses",     "cast iron pan",
};

constexpr std::array<absl::string_view, 5> kExtraData = {
    "",  // the server stores {}
    R"({"ab_test":"b"})",
    R"({"source":"newsletter","campaign":"spring"})",
    R"({"device":"mobile","ab_test":"a","experiments":[3,7]})",
    R"({"widget":"recommended","position":4})",
};

}  // namespace

class EventGenerator {
 public:
  EventGenerator(const EventShape& shape, uint64_t seed, absl::Time now)
      : shape_(shape), rng_(seed), now_(now) {
    for (const TypeWeight& t : kTypeMix) total_weight_ += t.weight;
  }

  Interaction Next(int index) {
    Interaction e;
    e.set_event_id(Uuid());
    const InteractionType type = PickType();
    e.set_type(type);
    // About a third of the traffic is anonymous: session key only.
    const bool logged_in = Uniform(0, 2) > 0;
    const int64_t user = logged_in ? Active(shape_.users) : 0;
    if (logged_in) e.set_user_id(absl::StrCat("user-", user));
    // Without skew the session is drawn first, as it always was, so that the
    // ingest benchmark's events stay what they were for a seed.
    if (shape_.activity_skew <= 0) {
      e.set_session_key(absl::StrFormat("sess-%016x", rng_() % (1u << 20)));
    }
    const int64_t micros =
        absl::ToUnixMicros(now_) -
        Uniform(0, absl::ToInt64Microseconds(shape_.history));
    if (shape_.activity_skew > 0 && logged_in) {
      const int64_t day = micros / (int64_t{24} * 3600 * 1'000'000);
      e.set_session_key(absl::StrFormat("sess-u%d-d%d", user, day));
    } else if (shape_.activity_skew > 0) {
      e.set_session_key(
          absl::StrFormat("sess-a%d", Active(shape_.anonymous_sessions)));
    }
    e.mutable_timestamp()->set_seconds(micros / 1'000'000);
    e.mutable_timestamp()->set_nanos(static_cast<int32_t>(micros % 1'000'000) *
                                     1000);
    const int64_t product = PopularProduct();
    const int64_t category = product % shape_.categories + 1;
    switch (type) {
      case smartshop::v1::VIEW_CATEGORY:
        e.set_category_id(category);
        e.set_page_url(absl::StrCat(kShop, "/category/", category));
        break;
      case smartshop::v1::SEARCH: {
        absl::string_view query = kSearchWords[Uniform(0, 11)];
        e.set_search_query(std::string(query));
        e.set_page_url(absl::StrCat(
            kShop, "/search?q=", absl::StrReplaceAll(query, {{" ", "+"}})));
        break;
      }
      case smartshop::v1::CHECKOUT_STARTED:
        e.set_page_url(absl::StrCat(kShop, "/checkout"));
        break;
      case smartshop::v1::ORDER_PLACED:
        e.set_order_id(100'000 + index);
        e.set_product_id(product);
        e.set_quantity(static_cast<int32_t>(Uniform(1, 2)));
        e.set_page_url(absl::StrCat(kShop, "/checkout/done"));
        break;
      case smartshop::v1::ADD_TO_CART:
        e.set_quantity(static_cast<int32_t>(Uniform(1, 3)));
        [[fallthrough]];
      default:  // the product events
        e.set_product_id(product);
        e.set_category_id(category);
        if (type == smartshop::v1::UPDATE_CART) {
          e.set_quantity(static_cast<int32_t>(Uniform(0, 5)));
        }
        e.set_page_url(absl::StrCat(kShop, "/product/", product));
    }
    // A fifth of the visits come without a referrer (typed-in, bookmarks).
    if (Uniform(0, 4) > 0) {
      e.set_referrer_url(
          absl::StrCat(kShop, "/category/", Uniform(1, shape_.categories)));
    }
    e.set_ip_address(Ip());
    e.set_user_agent(std::string(kUserAgents[Uniform(0, 3)]));
    e.set_extra_data(std::string(kExtraData[Uniform(0, 4)]));
    return e;
  }

 private:
  int64_t Uniform(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(rng_);
  }

  InteractionType PickType() {
    int r = static_cast<int>(Uniform(0, total_weight_ - 1));
    for (const TypeWeight& t : kTypeMix) {
      if (r < t.weight) return t.type;
      r -= t.weight;
    }
    return kTypeMix[0].type;
  }

  // Squaring a uniform skews toward low ids: a few bestsellers, a long tail.
  int64_t PopularProduct() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    return 1 + static_cast<int64_t>(u * u * (shape_.products - 1));
  }

  // 1..n: uniform without skew, else Zipf-like by the continuous inverse of
  // its distribution (exact sampling is not needed for a benchmark).
  int64_t Active(int64_t n) {
    const double s = shape_.activity_skew;
    if (s <= 0) return Uniform(1, n);
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    double rank;
    if (std::abs(s - 1) < 1e-9) {
      rank = std::exp(u * std::log(static_cast<double>(n) + 1));
    } else {
      const double a = std::pow(static_cast<double>(n) + 1, 1 - s) - 1;
      rank = std::pow(a * u + 1, 1 / (1 - s));
    }
    return std::clamp<int64_t>(static_cast<int64_t>(rank), 1, n);
  }

  std::string Ip() {
    if (Uniform(0, 9) == 0) {
      return absl::StrFormat("2001:db8::%x:%x", Uniform(0, 0xffff),
                             Uniform(1, 0xffff));
    }
    return absl::StrCat("10.", Uniform(0, 255), ".", Uniform(0, 255), ".",
                        Uniform(1, 254));
  }

  // RFC 4122 version 4 text, lower case as the service stores it.
  std::string Uuid() {
    const uint64_t hi = (rng_() & ~uint64_t{0xf000}) | 0x4000;
    const uint64_t lo =
        (rng_() & ~(uint64_t{0xc} << 60)) | (uint64_t{0x8} << 60);
    return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32,
                           (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                           lo & 0xffffffffffff);
  }

  const EventShape shape_;
  std::mt19937_64 rng_;
  const absl::Time now_;
  int total_weight_ = 0;
};

SyntheticEvents::SyntheticEvents(const EventShape& shape, uint64_t seed,
                                 absl::Time now)
    : generator_(std::make_unique<EventGenerator>(shape, seed, now)),
      now_(now) {}

SyntheticEvents::~SyntheticEvents() = default;

absl::StatusOr<std::vector<Interaction>> SyntheticEvents::Next(int count) {
  std::vector<Interaction> events;
  events.reserve(count);
  for (int i = 0; i < count; ++i, ++generated_) {
    events.push_back(generator_->Next(static_cast<int>(generated_)));
    if (auto violation = tracking::FindViolation(events.back(), now_)) {
      return absl::InternalError(absl::StrCat("generated event ", generated_,
                                              " is invalid: ", violation->field,
                                              ": ", violation->description));
    }
  }
  return events;
}

absl::StatusOr<std::vector<Interaction>> GenerateEvents(int count,
                                                        uint64_t seed,
                                                        absl::Time now) {
  return SyntheticEvents(EventShape{}, seed, now).Next(count);
}

}  // namespace smartshop::bench
