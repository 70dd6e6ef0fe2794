#include "tools/bench/recommender/synthetic_shop.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <numeric>
#include <random>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "boost/json.hpp"

namespace smartshop::recommender::bench {
namespace {

using smartshop::v1::Interaction;
using smartshop::v1::Product;

constexpr std::array<absl::string_view, 40> kCategories = {
    "Kitchen",      "Garden",    "Home Decor",     "Lighting", "Stationery",
    "Toys",         "Bath",      "Party Supplies", "Storage",  "Textiles",
    "Jewellery",    "Bags",      "Tableware",      "Candles",  "Christmas",
    "Baking",       "Picnic",    "Pet Supplies",   "Gifts",    "Wall Art",
    "Clocks",       "Mirrors",   "Cushions",       "Rugs",     "Outdoor",
    "Crafts",       "Office",    "Kids Room",      "Bedding",  "Cookware",
    "Coffee & Tea", "Glassware", "Vintage",        "Seasonal", "Travel",
    "Wellness",     "Hobby",     "Books & Cards",  "Frames",   "Furniture"};
constexpr std::array<absl::string_view, 12> kColours = {
    "Red",   "White", "Pink",  "Blue",   "Green", "Ivory",
    "Black", "Gold",  "Cream", "Yellow", "Grey",  "Pastel"};
constexpr std::array<absl::string_view, 12> kMaterials = {
    "Enamel", "Glass", "Wooden", "Ceramic", "Cotton", "Metal",
    "Wicker", "Zinc",  "Felt",   "Paper",   "Linen",  "Porcelain"};
constexpr std::array<absl::string_view, 30> kNouns = {
    "Mug",        "Lantern",     "Heart Holder", "Storage Tin", "Cake Stand",
    "Doormat",    "Photo Frame", "Tea Towel",    "Bunting",     "Coaster",
    "Jam Jar",    "Tray",        "Bottle",       "Lunch Box",   "Bird House",
    "Wall Clock", "Cushion",     "Candle Pot",   "Teapot",      "Apron",
    "Egg Cup",    "Plant Pot",   "Shopping Bag", "Notebook",    "Hook",
    "Vase",       "Trinket Box", "Spoon Set",    "Hanger",      "Bowl"};
constexpr std::array<absl::string_view, 5> kVariants = {
    "", ", Set of 4", ", Large", ", Small", ", Mini"};
constexpr std::array<absl::string_view, 6> kReasons = {
    "Viewed several times and added to the cart recently",
    "Often bought together with items in the user's recent orders",
    "Trending in a category this user keeps browsing",
    "Popular with shoppers who viewed the same products",
    "Adds variety: a category the user has not explored yet",
    "A best seller that fits the user's recent interests"};

// Interactions per prebuilt window: the engine asks for at most 100.
constexpr int kWindowSize = 100;
constexpr int64_t kBaseUnixSeconds = 1'735'689'600;  // 2025-01-01

std::string ProductName(int combo) {
  const int variant = combo % kVariants.size();
  combo /= kVariants.size();
  const int noun = combo % kNouns.size();
  combo /= kNouns.size();
  const int material = combo % kMaterials.size();
  combo /= kMaterials.size();
  const int colour = combo % kColours.size();
  return absl::StrCat(kColours[colour], " ", kMaterials[material], " ",
                      kNouns[noun], kVariants[variant]);
}

// A window of the types the engine asks for, newest first: mostly views,
// some cart adds and orders, over `product_ids`, and now and then a
// product the catalog replica does not have yet (catalog sync lags).
std::vector<Interaction> MakeWindow(const std::vector<int64_t>& product_ids,
                                    int64_t unknown_id,
                                    const std::function<std::string(int)>& user,
                                    std::mt19937_64& rng) {
  std::vector<Interaction> window;
  window.reserve(kWindowSize);
  std::uniform_int_distribution<size_t> pick(0, product_ids.size() - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  for (int i = 0; i < kWindowSize; ++i) {
    Interaction& event = window.emplace_back();
    event.set_user_id(user(i));
    event.set_session_key(absl::StrCat("sess-", rng() % 100'000));
    const int p = percent(rng);
    event.set_product_id(p < 2 ? unknown_id : product_ids[pick(rng)]);
    const int t = percent(rng);
    if (t < 75) {
      event.set_type(smartshop::v1::VIEW_PRODUCT);
    } else if (t < 93) {
      event.set_type(smartshop::v1::ADD_TO_CART);
      event.set_quantity(1 + t % 3);
    } else {
      event.set_type(smartshop::v1::ORDER_PLACED);
      event.set_order_id(10'000 + rng() % 90'000);
      event.set_quantity(1);
    }
    event.mutable_timestamp()->set_seconds(kBaseUnixSeconds - 60 * i);
    event.set_page_url(
        absl::StrCat("https://shop.example.com/p/", event.product_id()));
    event.set_sequence(1'000'000 - i);
  }
  return window;
}

}  // namespace

std::vector<Product> MakeCatalog(const ShopOptions& options) {
  std::mt19937_64 rng(options.seed);
  const int combos = static_cast<int>(kColours.size() * kMaterials.size() *
                                      kNouns.size() * kVariants.size());
  std::vector<int> combo(combos);
  std::iota(combo.begin(), combo.end(), 0);
  std::shuffle(combo.begin(), combo.end(), rng);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Product> products;
  products.reserve(options.products);
  for (int i = 0; i < options.products; ++i) {
    Product& p = products.emplace_back();
    p.set_id(i + 1);
    // Past the distinct combinations, a model number keeps names unique.
    p.set_name(i < combos ? ProductName(combo[i])
                          : absl::StrCat(ProductName(combo[i % combos]),
                                         " No. ", i / combos + 1));
    const int category = 1 + static_cast<int>(rng() % options.categories);
    p.set_category_id(category);
    p.set_category_name(category <= static_cast<int>(kCategories.size())
                            ? std::string(kCategories[category - 1])
                            : absl::StrCat("Category ", category));
    p.set_is_active(unit(rng) >= options.inactive_share);
    // A long tail: a few products sell most units.
    p.set_units_sold(static_cast<int64_t>(20'000 * std::pow(unit(rng), 6.0)));
    p.set_price_cents(199 + static_cast<int64_t>(rng() % 9'800));
    if (rng() % 10 < 7) p.set_stock(static_cast<int64_t>(rng() % 500));
  }
  return products;
}

std::string ModelReply(const std::vector<Product>& catalog) {
  std::vector<const Product*> active;
  for (const Product& p : catalog) {
    if (p.is_active()) active.push_back(&p);
  }
  auto display = [](const Product& p) {
    return absl::StrCat(p.name(), " (", p.category_name(), ")");
  };
  // Spread over the catalog, not just the 50 the prompt lists: the model
  // also names products from the interaction summary.
  std::vector<std::string> names;
  for (int k = 0; k < 5; ++k) {
    names.push_back(display(*active[(k * active.size()) / 6 + 3]));
  }
  names.push_back(active[(5 * active.size()) / 6 + 1]->name());
  names.push_back("Artisan Teapot Warmer (Kitchen)");  // not in the catalog
  names.push_back(names.front());
  std::string json = "[";
  for (size_t i = 0; i < names.size(); ++i) {
    boost::json::object pick;
    pick["product"] = names[i];
    if (i == 2) {
      pick["relevance_score"] = "88%";  // models do this
    } else {
      pick["relevance_score"] = 96.5 - 4.0 * static_cast<double>(i);
    }
    const absl::string_view reason = kReasons[i % kReasons.size()];
    pick["reason"] = std::string_view(reason.data(), reason.size());
    absl::StrAppend(&json, i == 0 ? "\n  " : ",\n  ",
                    boost::json::serialize(pick));
  }
  return absl::StrCat(
      "Here are 8 products this shopper is likely to enjoy, based on their "
      "recent activity:\n\n```json\n",
      json, "\n]\n```\n\nThese balance popularity with discovery.");
}

SyntheticTrackingReader::SyntheticTrackingReader(std::vector<Product> catalog,
                                                 int user_windows,
                                                 uint64_t seed)
    : catalog_(std::move(catalog)) {
  std::mt19937_64 rng(seed);
  std::vector<int64_t> active_ids;
  std::vector<int64_t> popular_ids;
  for (const Product& p : catalog_) {
    if (!p.is_active()) continue;
    active_ids.push_back(p.id());
    if (p.units_sold() > 2'000) popular_ids.push_back(p.id());
  }
  if (popular_ids.empty()) popular_ids = active_ids;
  const int64_t unknown_id = static_cast<int64_t>(catalog_.size()) + 1'000;
  for (int w = 0; w < user_windows; ++w) {
    // A shopper returns to a handful of products.
    std::vector<int64_t> interests;
    const int distinct = 8 + static_cast<int>(rng() % 18);
    for (int i = 0; i < distinct; ++i) {
      interests.push_back(active_ids[rng() % active_ids.size()]);
    }
    user_windows_.push_back(MakeWindow(
        interests, unknown_id, [](int) { return std::string(); }, rng));
  }
  // Everyone else: popular products plus a long tail.
  std::vector<int64_t> others = popular_ids;
  for (int i = 0; i < 40; ++i) {
    others.push_back(active_ids[rng() % active_ids.size()]);
  }
  others_window_ = MakeWindow(
      others, unknown_id,
      [](int i) { return absl::StrCat("shopper-", 7 * i % 31); }, rng);
}

absl::StatusOr<std::vector<Interaction>>
SyntheticTrackingReader::ListInteractions(
    const smartshop::v1::ListInteractionsRequest& request, absl::Time) {
  const size_t limit = request.limit() == 0 ? 100 : request.limit();
  std::vector<Interaction> out;
  out.reserve(std::min<size_t>(limit, kWindowSize));
  if (!request.user_id().empty()) {
    const auto& window =
        user_windows_[std::hash<std::string>()(request.user_id()) %
                      user_windows_.size()];
    for (size_t i = 0; i < window.size() && out.size() < limit; ++i) {
      out.push_back(window[i]);
      out.back().set_user_id(request.user_id());
    }
    return out;
  }
  for (const Interaction& event : others_window_) {
    if (out.size() >= limit) break;
    if (event.user_id() == request.exclude_user_id()) continue;
    out.push_back(event);
  }
  return out;
}

absl::StatusOr<std::vector<Product>> SyntheticTrackingReader::ListAllProducts(
    absl::Time) {
  return catalog_;
}

absl::StatusOr<ChatCompletion> InstantLlmClient::Complete(
    const ChatRequest& request, absl::Time) {
  int64_t prompt_chars = 0;
  for (const ChatMessage& m : request.messages)
    prompt_chars += m.content.size();
  // About 4 characters a token; the figures only feed the engine's logs.
  return ChatCompletion{content_, prompt_chars / 4,
                        static_cast<int64_t>(content_.size() / 4), 0.0};
}

}  // namespace smartshop::recommender::bench
