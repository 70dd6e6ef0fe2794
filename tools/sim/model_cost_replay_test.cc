#include "tools/sim/model_cost_replay.h"

#include <vector>

#include "absl/time/time.h"
#include "common/proto_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace smartshop::sim {
namespace {

using ::testing::SizeIs;

const absl::Time kStart = absl::FromUnixSeconds(1'291'190'400);  // 2010-12-01

Invoice CustomerInvoice(std::string user, int64_t order, absl::Time at,
                        std::vector<int64_t> products) {
  Invoice invoice{.user_id = std::move(user), .order_id = order, .time = at};
  for (int64_t p : products) invoice.lines.push_back({p, 1});
  return invoice;
}

std::vector<smartshop::v1::Product> Products(int n) {
  std::vector<smartshop::v1::Product> products;
  for (int i = 1; i <= n; ++i) {
    smartshop::v1::Product p;
    p.set_id(i);
    p.set_name("PRODUCT " + std::to_string(i));
    p.set_category_id(1);
    p.set_category_name("All");
    p.set_is_active(true);
    p.set_units_sold(100 - i);
    products.push_back(p);
  }
  return products;
}

TEST(ReplayTrafficTest, RequestFirstThenEventsTwoSecondsApart) {
  const std::vector<ReplayAction> traffic =
      ReplayTraffic({CustomerInvoice("u1", 1, kStart, {7, 8})});
  // The request, then view 7, cart 7, view 8, cart 8, order 7, order 8.
  ASSERT_THAT(traffic, SizeIs(7));
  EXPECT_TRUE(traffic[0].request);
  EXPECT_EQ(traffic[0].at, kStart);
  EXPECT_EQ(traffic[0].visitor.user_id(), "u1");
  for (size_t i = 1; i < traffic.size(); ++i) {
    EXPECT_FALSE(traffic[i].request);
    EXPECT_EQ(traffic[i].at, kStart + absl::Seconds(2 * i));
    EXPECT_EQ(ToTime(traffic[i].event.timestamp()), traffic[i].at);
  }
  EXPECT_EQ(traffic.back().event.type(), smartshop::v1::ORDER_PLACED);
}

TEST(ReplayTrafficTest, NextVisitAMinuteAfterThePreviousEnds) {
  // Two invoices of one customer in the same minute.
  const std::vector<ReplayAction> traffic =
      ReplayTraffic({CustomerInvoice("u1", 1, kStart, {7}),
                     CustomerInvoice("u1", 2, kStart, {8})});
  ASSERT_THAT(traffic, SizeIs(8));
  const absl::Time first_end = kStart + absl::Seconds(6);  // view, cart, order
  EXPECT_EQ(traffic[3].at, first_end);
  EXPECT_TRUE(traffic[4].request);
  EXPECT_EQ(traffic[4].at, first_end + absl::Minutes(1));
}

TEST(ReplayTrafficTest, ExtraRequestsSpreadTheLastAfterTheOrder) {
  const std::vector<ReplayAction> traffic =
      ReplayTraffic({CustomerInvoice("u1", 1, kStart, {7, 8})}, 3);
  int requests = 0;
  for (const ReplayAction& a : traffic) requests += a.request ? 1 : 0;
  EXPECT_EQ(requests, 3);
  EXPECT_TRUE(traffic.back().request);
  EXPECT_EQ(traffic[traffic.size() - 2].event.type(),
            smartshop::v1::ORDER_PLACED);
  // One in the middle of the visit.
  EXPECT_FALSE(traffic[1].request);
  EXPECT_TRUE(traffic[4].request);
}

// Another customer's visit (the shop's data), then a customer back 10
// minutes after an order, and again 2 hours later.
std::vector<ReplayAction> ThreeVisits() {
  return ReplayTraffic(
      {CustomerInvoice("u0", 9, kStart - absl::Hours(1), {5, 6}),
       CustomerInvoice("u1", 1, kStart, {1, 2}),
       CustomerInvoice("u1", 2, kStart + absl::Minutes(10), {3}),
       CustomerInvoice("u1", 3, kStart + absl::Hours(2), {4})});
}

TEST(RunPolicyTest, OriginalServesItsHourOldAnswerAfterAnOrder) {
  absl::StatusOr<PolicyResult> result =
      RunPolicy(Policy::kOriginal, Products(20), ThreeVisits());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->answers, 4);
  // u0 finds no data (no call); u1's first visit is a call, the second
  // the first's answer from the 1 h cache, older than the order; the
  // third comes after the TTL: a call.
  EXPECT_EQ(result->strategies["STRATEGY_NO_DATA"], 1);
  EXPECT_EQ(result->cache_hits, 1);
  EXPECT_EQ(result->stale, 1);
  EXPECT_EQ(result->model_calls, 2);
  EXPECT_EQ(result->calls_new_users, 1);
  EXPECT_EQ(result->calls_returning_users, 1);
  EXPECT_GT(result->prompt_tokens, 0);
  EXPECT_GT(result->completion_tokens, 0);
  EXPECT_GT(result->cost_usd(), 0);
}

TEST(RunPolicyTest, OursDropsTheAnswerOnTheOrderAndCallsAgain) {
  absl::StatusOr<PolicyResult> result =
      RunPolicy(Policy::kOurs, Products(20), ThreeVisits());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->answers, 4);
  EXPECT_EQ(result->stale, 0);
  EXPECT_EQ(result->cache_hits, 0);
  EXPECT_EQ(result->model_calls, 3);
  EXPECT_EQ(result->calls_returning_users, 2);
}

TEST(RunPolicyTest, GuestsShareOneCallInTheOriginalAndNoneInOurs) {
  std::vector<Invoice> invoices = {CustomerInvoice("u1", 1, kStart, {1, 2}),
                                   {.session_key = "guest-2",
                                    .order_id = 2,
                                    .time = kStart + absl::Minutes(5),
                                    .lines = {{3, 1}}},
                                   {.session_key = "guest-3",
                                    .order_id = 3,
                                    .time = kStart + absl::Minutes(6),
                                    .lines = {{4, 1}}}};
  const std::vector<ReplayAction> traffic = ReplayTraffic(invoices);
  absl::StatusOr<PolicyResult> original =
      RunPolicy(Policy::kOriginal, Products(20), traffic);
  ASSERT_TRUE(original.ok()) << original.status();
  EXPECT_EQ(original->calls_guests, 1);
  EXPECT_EQ(original->cache_hits, 1);
  absl::StatusOr<PolicyResult> ours =
      RunPolicy(Policy::kOurs, Products(20), traffic);
  ASSERT_TRUE(ours.ok()) << ours.status();
  EXPECT_EQ(ours->calls_guests, 0);
  EXPECT_EQ(ours->strategies["STRATEGY_BUILTIN"], 2);
}

TEST(MarkdownTableTest, BothColumnsAndTheRatio) {
  PolicyResult original{.name = "original", .answers = 4, .model_calls = 8};
  PolicyResult ours{.name = "ours", .answers = 4, .model_calls = 2};
  const std::string table = MarkdownTable(original, ours);
  EXPECT_THAT(table, ::testing::HasSubstr("| | original | ours |"));
  EXPECT_THAT(table, ::testing::HasSubstr("| model calls | 8 | 2 | 25 % |"));
  EXPECT_THAT(table, ::testing::HasSubstr(
                         "| home page answers served | 4 | 4 | 100 % |"));
}

}  // namespace
}  // namespace smartshop::sim
