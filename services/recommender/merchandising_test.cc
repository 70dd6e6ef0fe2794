#include "services/recommender/merchandising.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace smartshop::recommender {
namespace {

using smartshop::v1::MerchandisingRule;
using smartshop::v1::Recommendations;
using ::testing::ElementsAre;
using ::testing::Pair;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

MerchandisingRule Rule(const std::string& text) {
  MerchandisingRule rule;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &rule))
      << text;
  return rule;
}

// Products 1..20: category 1 for odd ids, 2 for even; active, in stock
// (stock = id), units_sold = 10 * id. 13 is inactive, 14 sold out, 15
// untracked stock.
std::vector<smartshop::v1::Product> Products() {
  std::vector<smartshop::v1::Product> products;
  for (int64_t id = 1; id <= 20; ++id) {
    smartshop::v1::Product p;
    p.set_id(id);
    p.set_name(absl::StrCat("P", id));
    p.set_category_id(id % 2 == 1 ? 1 : 2);
    p.set_is_active(id != 13);
    p.set_units_sold(10 * id);
    if (id != 15) p.set_stock(id == 14 ? 0 : id);
    products.push_back(p);
  }
  return products;
}

// Products 1..n scored 90, 80, 70, ... (best first), source BUILTIN.
Recommendations RuledAnswer(std::vector<int64_t> ids) {
  Recommendations answer;
  double score = 90;
  for (int64_t id : ids) {
    auto* item = answer.add_items();
    item->mutable_product()->set_id(id);
    item->mutable_product()->set_category_id(id % 2 == 1 ? 1 : 2);
    item->set_relevance_score(score);
    item->set_reason(absl::StrCat("Because ", id));
    item->set_source(smartshop::v1::BUILTIN);
    score -= 10;
  }
  return answer;
}

std::vector<int64_t> Ids(const Recommendations& answer) {
  std::vector<int64_t> ids;
  for (const auto& item : answer.items()) ids.push_back(item.product().id());
  return ids;
}

std::vector<double> RuledScores(const Recommendations& answer) {
  std::vector<double> scores;
  for (const auto& item : answer.items()) {
    scores.push_back(item.relevance_score());
  }
  return scores;
}

class MerchandisingTest : public ::testing::Test {
 protected:
  // Applies `rules` to `answer` for `request` at kNow; with
  // `max_per_category`, keeping the cart's diversity rule over `count` items.
  Recommendations Apply(std::vector<MerchandisingRule> rules,
                        Recommendations answer,
                        smartshop::v1::GetRecommendationsRequest request = {},
                        const RecentSales& recent_sales = nullptr,
                        int max_per_category = 0, int count = 8) {
    catalog_ =
        std::make_unique<CatalogSnapshot>(Products(), kNow, std::move(rules));
    ApplyMerchandising(*catalog_, request, kNow, recent_sales,
                       {.max_per_category = max_per_category, .count = count},
                       answer);
    return answer;
  }

  std::unique_ptr<CatalogSnapshot> catalog_;
};

TEST_F(MerchandisingTest, WithoutRulesTheAnswerIsUntouched) {
  const Recommendations before = RuledAnswer({1, 2, 3});
  const Recommendations after = Apply({}, before);
  EXPECT_EQ(after.DebugString(), before.DebugString());
}

TEST_F(MerchandisingTest, ExcludeRemovesByProductAndByCategory) {
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "x" product_id: 2
                                 action: MERCHANDISING_EXCLUDE)")},
                        RuledAnswer({1, 2, 3}))),
              ElementsAre(1, 3));
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "x" category_id: 1
                                 action: MERCHANDISING_EXCLUDE)")},
                        RuledAnswer({1, 2, 3, 4}))),
              ElementsAre(2, 4));
}

TEST_F(MerchandisingTest, BoostLiftsPastLowerScoresAndSaysPromoted) {
  const Recommendations answer = Apply(
      {Rule(R"(id: "b" product_id: 4 action: MERCHANDISING_BOOST
                     multiplier: 1.5)")},
      RuledAnswer({1, 2, 3, 4}));  // 4 scores 60 -> 90: ties 1, stays after it
  EXPECT_THAT(Ids(answer), ElementsAre(1, 4, 2, 3));
  EXPECT_THAT(RuledScores(answer), ElementsAre(90, 90, 80, 70));
  EXPECT_EQ(answer.items(1).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(answer.items(1).reason(), "Promoted");
  EXPECT_EQ(answer.items(1).merchandising_rule_id(), "b");
  EXPECT_EQ(answer.items(2).merchandising_rule_id(), "");
  EXPECT_EQ(answer.items(2).source(), smartshop::v1::BUILTIN);
}

TEST_F(MerchandisingTest, BoostCapsAtOneHundredAndKeepsAnUnmovedItemsReason) {
  const Recommendations answer =
      Apply({Rule(R"(id: "b" product_id: 1 action: MERCHANDISING_BOOST
                     multiplier: 100)")},
            RuledAnswer({1, 2}));
  EXPECT_THAT(Ids(answer), ElementsAre(1, 2));
  EXPECT_THAT(RuledScores(answer), ElementsAre(100, 80));
  EXPECT_EQ(answer.items(0).merchandising_rule_id(), "b");
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::BUILTIN);
  EXPECT_EQ(answer.items(0).reason(), "Because 1");
}

TEST_F(MerchandisingTest, BuryMovesToTheEndWithScoresKeptBestFirst) {
  const Recommendations answer =
      Apply({Rule(R"(id: "down" category_id: 1 action: MERCHANDISING_BURY)")},
            RuledAnswer({1, 2, 3, 4}));
  EXPECT_THAT(Ids(answer), ElementsAre(2, 4, 1, 3));
  EXPECT_THAT(RuledScores(answer), ElementsAre(80, 60, 60, 60));
  EXPECT_EQ(answer.items(2).merchandising_rule_id(), "down");
  EXPECT_EQ(answer.items(2).source(), smartshop::v1::BUILTIN);
}

TEST_F(MerchandisingTest, PinMovesAnItemToItsPosition) {
  const Recommendations answer =
      Apply({Rule(R"(id: "p" product_id: 4 action: MERCHANDISING_PIN
                     pin_position: 1)")},
            RuledAnswer({1, 2, 3, 4}));
  EXPECT_THAT(Ids(answer), ElementsAre(4, 1, 2, 3));
  EXPECT_THAT(RuledScores(answer), ElementsAre(90, 90, 80, 70));
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(answer.items(0).reason(), "Promoted");
  EXPECT_EQ(answer.items(0).merchandising_rule_id(), "p");
}

TEST_F(MerchandisingTest, PinInsertsFromTheCatalogAndAppendsBeyondTheEnd) {
  const Recommendations answer =
      Apply({Rule(R"(id: "two" product_id: 9 action: MERCHANDISING_PIN
                     pin_position: 2)"),
             Rule(R"(id: "far" product_id: 10 action: MERCHANDISING_PIN
                     pin_position: 8)")},
            RuledAnswer({1, 2, 3}));
  EXPECT_THAT(Ids(answer), ElementsAre(1, 9, 2, 3, 10));
  EXPECT_THAT(RuledScores(answer), ElementsAre(90, 80, 80, 70, 70));
  EXPECT_EQ(answer.items(1).product().name(), "P9");  // from the catalog
  EXPECT_EQ(answer.items(4).merchandising_rule_id(), "far");
}

TEST_F(MerchandisingTest, PinsAtOnePositionTakeItAndTheNext) {
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "a" product_id: 9
                                 action: MERCHANDISING_PIN pin_position: 1)"),
                         Rule(R"(id: "b" product_id: 10
                                 action: MERCHANDISING_PIN pin_position: 1)")},
                        RuledAnswer({1, 2}))),
              ElementsAre(9, 10, 1, 2));
}

TEST_F(MerchandisingTest, PinDoesNotDisplaceAnEarlierPinWhenItsItemMoves) {
  // 3 moves from first to fifth: 9, pinned third, stays third.
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "a" product_id: 9
                                 action: MERCHANDISING_PIN pin_position: 3)"),
                         Rule(R"(id: "b" product_id: 3
                                 action: MERCHANDISING_PIN pin_position: 5)")},
                        RuledAnswer({3, 1, 2, 4, 5, 6}))),
              ElementsAre(1, 2, 9, 4, 3, 5, 6));
}

TEST_F(MerchandisingTest, PinInsertsOnlyWhatTheRequestAllows) {
  auto pin = [](int64_t product) {
    return Rule(absl::StrCat("id: \"p\" product_id: ", product,
                             " action: MERCHANDISING_PIN pin_position: 1"));
  };
  // Inactive, sold out, unknown to the catalog.
  for (int64_t product : {13, 14, 99}) {
    EXPECT_THAT(Ids(Apply({pin(product)}, RuledAnswer({1}))), ElementsAre(1))
        << product;
  }
  smartshop::v1::GetRecommendationsRequest request;
  request.add_exclude_product_ids(9);
  EXPECT_THAT(Ids(Apply({pin(9)}, RuledAnswer({1}), request)), ElementsAre(1));
  request.Clear();
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_product_id(9);
  EXPECT_THAT(Ids(Apply({pin(9)}, RuledAnswer({1}), request)), ElementsAre(1));
  request.Clear();
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  request.add_cart_product_ids(9);
  EXPECT_THAT(Ids(Apply({pin(9)}, RuledAnswer({1}), request)), ElementsAre(1));
  request.Clear();
  request.set_category_id(2);
  EXPECT_THAT(Ids(Apply({pin(9)}, RuledAnswer({2}), request)), ElementsAre(2));
  request.Clear();
  request.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  EXPECT_THAT(Ids(Apply({pin(9)}, RuledAnswer({1}), request)), ElementsAre(1));
  // ...but a recently viewed product already there is moved.
  EXPECT_THAT(Ids(Apply({pin(2)}, RuledAnswer({1, 2}), request)),
              ElementsAre(2, 1));
  // Untracked stock is no reason to refuse.
  EXPECT_THAT(Ids(Apply({pin(15)}, RuledAnswer({1}))), ElementsAre(15, 1));
}

MerchandisingRule CategoryPin(int64_t category, int position,
                              absl::string_view id = "cat") {
  return Rule(
      absl::StrCat("id: \"", id, "\" category_id: ", category,
                   " action: MERCHANDISING_PIN pin_position: ", position));
}

TEST_F(MerchandisingTest, ACategoryPinMovesUpItsFirstItemFromThePositionOn) {
  Recommendations answer =
      Apply({CategoryPin(2, 1)}, RuledAnswer({1, 3, 2, 4}));
  EXPECT_THAT(Ids(answer), ElementsAre(2, 1, 3, 4));
  EXPECT_THAT(RuledScores(answer), ElementsAre(90, 90, 80, 60));
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(answer.items(0).reason(), "Promoted");
  EXPECT_EQ(answer.items(0).merchandising_rule_id(), "cat");
  // 1 (category 1) above the position stays; 3, the next of category 1
  // from the second place on, comes up to it.
  answer = Apply({CategoryPin(1, 2)}, RuledAnswer({1, 2, 4, 3}));
  EXPECT_THAT(Ids(answer), ElementsAre(1, 3, 2, 4));
  EXPECT_EQ(answer.items(0).merchandising_rule_id(), "");
  EXPECT_EQ(answer.items(1).merchandising_rule_id(), "cat");
}

TEST_F(MerchandisingTest, ACategoryPinTakesItsBestSellerWhenTheAnswerHasNone) {
  // Category 1's best seller is 19 (units_sold = 10 * id).
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 2)}, RuledAnswer({2, 4, 6}))),
              ElementsAre(2, 19, 4, 6));
  // Not what the request or a rule excludes: 19 by the request, 17 by a
  // rule, 15 (stock not tracked) is next.
  smartshop::v1::GetRecommendationsRequest request;
  request.add_exclude_product_ids(19);
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 2), Rule(R"(id: "x" product_id: 17
                                            action: MERCHANDISING_EXCLUDE)")},
                        RuledAnswer({2, 4, 6}), request)),
              ElementsAre(2, 15, 4, 6));
  // Category 2: 14 is sold out, so after 20, 18 and 16 comes 12.
  request.Clear();
  for (int64_t id : {20, 18, 16}) request.add_exclude_product_ids(id);
  EXPECT_THAT(Ids(Apply({CategoryPin(2, 1)}, RuledAnswer({1, 3}), request)),
              ElementsAre(12, 1, 3));
  // Beyond the answer's end: appended, with the last item's score.
  const Recommendations appended =
      Apply({CategoryPin(2, 8)}, RuledAnswer({1, 3}));
  EXPECT_THAT(Ids(appended), ElementsAre(1, 3, 20));
  EXPECT_THAT(RuledScores(appended), ElementsAre(90, 80, 80));
}

TEST_F(MerchandisingTest, PinsOfACategoryTakeDistinctProductsAfterAProducts) {
  // At one position the product's pin comes first; the category's two
  // pins each take another product of it.
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1, "cat-a"), CategoryPin(1, 3, "cat-b"),
                         Rule(R"(id: "z" product_id: 9
                                 action: MERCHANDISING_PIN pin_position: 1)")},
                        RuledAnswer({2, 4, 6}))),
              ElementsAre(9, 19, 17, 2, 4, 6));
  // Nor is a best seller another pin brings in further down.
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1), Rule(R"(id: "z" product_id: 19
                                 action: MERCHANDISING_PIN pin_position: 4)")},
                        RuledAnswer({2, 4, 6}))),
              ElementsAre(17, 2, 4, 19, 6));
  // A product pinned further down is not taken by the category's pin.
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1), Rule(R"(id: "z" product_id: 3
                                 action: MERCHANDISING_PIN pin_position: 4)")},
                        RuledAnswer({2, 3, 4, 5}))),
              ElementsAre(5, 2, 4, 3));
}

TEST_F(MerchandisingTest, ACategoryPinInsertsOnlyWhatTheRequestAllows) {
  smartshop::v1::GetRecommendationsRequest request;
  request.set_category_id(2);
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1)}, RuledAnswer({2, 4}), request)),
              ElementsAre(2, 4));
  request.Clear();
  request.set_placement(smartshop::v1::PLACEMENT_CART);
  for (int64_t id : {19, 17}) request.add_cart_product_ids(id);
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1)}, RuledAnswer({2}), request)),
              ElementsAre(15, 2));
  request.Clear();
  request.set_placement(smartshop::v1::PLACEMENT_PRODUCT);
  request.set_product_id(19);
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1)}, RuledAnswer({2}), request)),
              ElementsAre(17, 2));
  // Recently viewed: a viewed product of the category moves, none is added.
  request.Clear();
  request.set_placement(smartshop::v1::PLACEMENT_RECENTLY_VIEWED);
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1)}, RuledAnswer({2, 3}), request)),
              ElementsAre(3, 2));
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1)}, RuledAnswer({2, 4}), request)),
              ElementsAre(2, 4));
  // An excluded category is never pinned; an unknown one adds nothing.
  EXPECT_THAT(Ids(Apply({CategoryPin(1, 1), Rule(R"(id: "x" category_id: 1
                                                   action: MERCHANDISING_EXCLUDE)")},
                        RuledAnswer({2, 3}))),
              ElementsAre(2));
  EXPECT_THAT(Ids(Apply({CategoryPin(7, 1)}, RuledAnswer({2, 3}))),
              ElementsAre(2, 3));
}

TEST_F(MerchandisingTest, InACartPinnedProductsTakeTheirCategorysShareFirst) {
  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  // Two per category, as the ranker left it: 5 and 6 held back.
  const Recommendations ranked = RuledAnswer({1, 3, 2, 4, 5, 6});
  Recommendations answer =
      Apply({Rule(R"(id: "p" product_id: 7 action: MERCHANDISING_PIN
                     pin_position: 2)")},
            ranked, cart, nullptr, /*max_per_category=*/2);
  // 7 holds its place; 3, now its category's third, goes after the others.
  EXPECT_THAT(Ids(answer), ElementsAre(1, 7, 2, 4, 3, 5, 6));
  EXPECT_THAT(RuledScores(answer), ElementsAre(90, 80, 70, 60, 60, 50, 40));
  EXPECT_EQ(answer.items(1).merchandising_rule_id(), "p");
  // Without the diversity rule (any other placement) 3 keeps its place.
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "p" product_id: 7
                                 action: MERCHANDISING_PIN pin_position: 2)")},
                        ranked, cart)),
              ElementsAre(1, 7, 3, 2, 4, 5, 6));
  // A pin lower down holds its place as well, past its category's share.
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "p" product_id: 7
                                 action: MERCHANDISING_PIN pin_position: 4)")},
                        RuledAnswer({1, 3, 2, 4}), cart, nullptr, 2)),
              ElementsAre(1, 2, 4, 7, 3));
  // A category's pin moving up its third product holds it back a ranked one.
  EXPECT_THAT(Ids(Apply({CategoryPin(2, 3)}, RuledAnswer({2, 4, 1, 3, 6}), cart,
                        nullptr, 2)),
              ElementsAre(2, 1, 6, 3, 4));
}

TEST_F(MerchandisingTest, InACartABoostLiftsNoCategoryPastItsShare) {
  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  const Recommendations answer =
      Apply({Rule(R"(id: "b" product_id: 5 action: MERCHANDISING_BOOST
                     multiplier: 2)")},
            RuledAnswer({1, 3, 2, 4, 5}), cart, nullptr,
            /*max_per_category=*/2);
  // 5 rises to the top; 3, its category's third, goes after the others.
  EXPECT_THAT(Ids(answer), ElementsAre(5, 1, 2, 4, 3));
  EXPECT_THAT(RuledScores(answer), ElementsAre(100, 90, 70, 60, 60));
  EXPECT_EQ(answer.items(0).reason(), "Promoted");
}

TEST_F(MerchandisingTest, InACartABuriedItemStaysAfterTheTopUps) {
  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  Recommendations answer = RuledAnswer({1, 2, 3, 4, 6, 8});
  for (int i = 3; i < answer.items_size(); ++i) {
    answer.mutable_items(i)->set_source(smartshop::v1::GAP_FILL);
  }
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "down" product_id: 2
                                 action: MERCHANDISING_BURY)")},
                        answer, cart, nullptr, /*max_per_category=*/2)),
              ElementsAre(1, 3, 4, 6, 8, 2));
}

TEST_F(MerchandisingTest, InACartAPinPastTheItemsServedTakesNoShare) {
  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  // Four served: the pin at 6 is cut, and 3 keeps its place.
  EXPECT_THAT(Ids(Apply({Rule(R"(id: "p" product_id: 7
                                 action: MERCHANDISING_PIN pin_position: 6)")},
                        RuledAnswer({1, 3, 2, 4, 5, 6}), cart, nullptr,
                        /*max_per_category=*/2, /*count=*/4)),
              ElementsAre(1, 3, 2, 4, 5, 6));
}

TEST_F(MerchandisingTest, ExcludeBeatsPinAndBoost) {
  const Recommendations answer =
      Apply({Rule(R"(id: "pin" product_id: 3 action: MERCHANDISING_PIN
               pin_position: 1)"),
             Rule(R"(id: "boost" product_id: 1 action: MERCHANDISING_BOOST
               multiplier: 2)"),
             Rule(R"(id: "out" category_id: 1 action: MERCHANDISING_EXCLUDE)")},
            RuledAnswer({1, 2, 3, 4}));
  EXPECT_THAT(Ids(answer), ElementsAre(2, 4));
}

TEST_F(MerchandisingTest, TheMostSpecificRuleWins) {
  // Product bury beats category boost; at one level bury beats boost.
  Recommendations answer =
      Apply({Rule(R"(id: "up" category_id: 1 action: MERCHANDISING_BOOST
                     multiplier: 3)"),
             Rule(R"(id: "down" product_id: 3 action: MERCHANDISING_BURY)")},
            RuledAnswer({2, 3, 4, 5}));
  EXPECT_THAT(Ids(answer), ElementsAre(5, 2, 4, 3));
  EXPECT_EQ(answer.items(0).merchandising_rule_id(), "up");
  EXPECT_EQ(answer.items(3).merchandising_rule_id(), "down");
  answer = Apply({Rule(R"(id: "a" product_id: 2 action: MERCHANDISING_BOOST
                          multiplier: 3)"),
                  Rule(R"(id: "b" product_id: 2 action: MERCHANDISING_BURY)")},
                 RuledAnswer({2, 4}));
  EXPECT_THAT(Ids(answer), ElementsAre(4, 2));
}

TEST_F(MerchandisingTest, TimeRangesStartInclusiveAndEndExclusive) {
  auto exclude_between = [](int64_t from, int64_t until) {
    return Rule(absl::StrCat(
        R"(id: "x" product_id: 1 action: MERCHANDISING_EXCLUDE
           starts_at { seconds: )",
        from, "} ends_at { seconds: ", until, "}"));
  };
  const int64_t now = absl::ToUnixSeconds(kNow);
  EXPECT_THAT(Ids(Apply({exclude_between(now, now + 1)}, RuledAnswer({1, 2}))),
              ElementsAre(2));
  EXPECT_THAT(Ids(Apply({exclude_between(now - 10, now)}, RuledAnswer({1, 2}))),
              ElementsAre(1, 2));
  EXPECT_THAT(
      Ids(Apply({exclude_between(now + 1, now + 10)}, RuledAnswer({1, 2}))),
      ElementsAre(1, 2));
  EXPECT_THAT(Ids(Apply({Rule(absl::StrCat(
                            R"(id: "open" product_id: 1
                               action: MERCHANDISING_EXCLUDE
                               starts_at { seconds: )",
                            now - 1, "}"))},
                        RuledAnswer({1, 2}))),
              ElementsAre(2));
}

TEST_F(MerchandisingTest, PlacementsLimitWhereARuleApplies) {
  const MerchandisingRule cart_only =
      Rule(R"(id: "x" product_id: 1 action: MERCHANDISING_EXCLUDE
              placements: PLACEMENT_CART placements: PLACEMENT_TRENDING)");
  EXPECT_THAT(Ids(Apply({cart_only}, RuledAnswer({1, 2}))), ElementsAre(1, 2));
  smartshop::v1::GetRecommendationsRequest cart;
  cart.set_placement(smartshop::v1::PLACEMENT_CART);
  EXPECT_THAT(Ids(Apply({cart_only}, RuledAnswer({1, 2}), cart)),
              ElementsAre(2));
  EXPECT_TRUE(RuleInForce(cart_only, kNow, smartshop::v1::PLACEMENT_TRENDING));
  EXPECT_FALSE(RuleInForce(cart_only, kNow, smartshop::v1::PLACEMENT_HOME));
}

TEST_F(MerchandisingTest, SlowMovingBoostsOnlyInStockProductsSellingLittle) {
  // recent sales = units_sold / 10 = id; below 4: products 1 to 3. Product
  // 15 has no tracked stock, 14 none in stock.
  const MerchandisingRule slow = Rule(
      R"(id: "slow" all_products: true action: MERCHANDISING_PROMOTE_SLOW_MOVING
         multiplier: 2 recent_sales_below: 4)");
  std::vector<int64_t> asked;
  const Recommendations answer = Apply({slow}, RuledAnswer({15, 14, 10, 5, 3}),
                                       {}, [&](int64_t id) -> double {
                                         asked.push_back(id);
                                         return static_cast<double>(id);
                                       });
  EXPECT_THAT(Ids(answer), ElementsAre(3, 15, 14, 10, 5));  // 50 -> 100
  EXPECT_EQ(answer.items(0).merchandising_rule_id(), "slow");
  EXPECT_EQ(answer.items(0).source(), smartshop::v1::MERCHANDISED);
  EXPECT_EQ(answer.items(0).reason(), "Promoted");
  EXPECT_THAT(asked, ElementsAre(10, 5, 3));  // in stock only
  // Without a callback nothing is slow-moving.
  EXPECT_THAT(Ids(Apply({slow}, RuledAnswer({10, 3}))), ElementsAre(10, 3));
}

TEST_F(MerchandisingTest, RulesForUnknownProductsAndCategoriesMatchNothing) {
  const Recommendations before = RuledAnswer({1, 2});
  const Recommendations after =
      Apply({Rule(R"(id: "a" product_id: 404 action: MERCHANDISING_EXCLUDE)"),
             Rule(R"(id: "b" category_id: 77 action: MERCHANDISING_BURY)"),
             Rule(R"(id: "c" product_id: 405 action: MERCHANDISING_PIN
                     pin_position: 1)")},
            before);
  EXPECT_EQ(after.DebugString(), before.DebugString());
}

TEST_F(MerchandisingTest, ExcludedByRulesSeesProductAndCategoryRules) {
  Apply({Rule(R"(id: "a" product_id: 4 action: MERCHANDISING_EXCLUDE)"),
         Rule(R"(id: "b" category_id: 1 action: MERCHANDISING_EXCLUDE
                 placements: PLACEMENT_HOME)")},
        {});
  const auto* p3 = catalog_->Find(3);
  const auto* p4 = catalog_->Find(4);
  const auto* p6 = catalog_->Find(6);
  EXPECT_TRUE(
      ExcludedByRules(*catalog_, *p4, smartshop::v1::PLACEMENT_CART, kNow));
  EXPECT_TRUE(
      ExcludedByRules(*catalog_, *p3, smartshop::v1::PLACEMENT_HOME, kNow));
  EXPECT_FALSE(
      ExcludedByRules(*catalog_, *p3, smartshop::v1::PLACEMENT_CART, kNow));
  EXPECT_FALSE(
      ExcludedByRules(*catalog_, *p6, smartshop::v1::PLACEMENT_HOME, kNow));
}

}  // namespace
}  // namespace smartshop::recommender
