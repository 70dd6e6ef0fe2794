// The tracking service against a real Postgres: every RPC, idempotent
// retries, per-event batch results, each validation rule, listing order and
// filters, the catalog, and migrations.
#include <functional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tracking/migrations.h"
#include "tests/integration/tracking_harness.h"
#include "tests/testing/interaction_builders.h"
#include "tests/testing/test_database.h"

namespace smartshop::testing {
namespace {

using smartshop::v1::Interaction;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

Interaction View(const std::string& user, int64_t product, int64_t seconds) {
  return UserView(user, product, absl::FromUnixSeconds(seconds));
}

class TrackingIntegrationTest : public ::testing::Test {
 protected:
  int64_t StoredCount() {
    return std::stoll(
        QueryScalar(db_.url(), "SELECT count(*) FROM interactions"));
  }

  smartshop::v1::TrackResponse TrackOk(const Interaction& event) {
    smartshop::v1::TrackRequest request;
    *request.mutable_interaction() = event;
    smartshop::v1::TrackResponse response;
    grpc::Status status = server_.tracking().Track(
        TrackingHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  grpc::Status Track(const Interaction& event) {
    smartshop::v1::TrackRequest request;
    *request.mutable_interaction() = event;
    smartshop::v1::TrackResponse response;
    return server_.tracking().Track(TrackingHarness::Context().get(), request,
                                    &response);
  }

  smartshop::v1::ListInteractionsResponse List(
      smartshop::v1::ListInteractionsRequest request) {
    smartshop::v1::ListInteractionsResponse response;
    grpc::Status status = server_.tracking().ListInteractions(
        TrackingHarness::Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::vector<int64_t> ListedProducts(
      smartshop::v1::ListInteractionsRequest r) {
    std::vector<int64_t> products;
    const auto response = List(std::move(r));
    for (const auto& i : response.interactions()) {
      products.push_back(i.product_id());
    }
    return products;
  }

  TestDatabase db_;
  TrackingHarness server_{db_.url(), {.max_batch_size = 5}};
};

TEST_F(TrackingIntegrationTest, TrackStoresEveryFieldDurably) {
  Interaction event;
  event.set_event_id("0f8fad5b-d9cb-469f-a165-70867728950e");
  event.set_user_id("u-1");
  event.set_session_key("sess-1");
  event.set_type(smartshop::v1::ADD_TO_CART);
  event.mutable_timestamp()->set_seconds(1'700'000'000);
  event.mutable_timestamp()->set_nanos(123'456'000);
  event.set_product_id(11);
  event.set_category_id(3);
  event.set_quantity(2);
  event.set_page_url("https://shop.example/p/11");
  event.set_referrer_url("https://shop.example/c/3");
  event.set_ip_address("2001:db8::7");
  event.set_user_agent("Mozilla/5.0");
  event.set_extra_data(R"({"ab": "b", "n": 1})");
  smartshop::v1::TrackResponse response = TrackOk(event);
  EXPECT_EQ(response.outcome(), smartshop::v1::STORED);
  EXPECT_EQ(response.event_id(), event.event_id());
  // Acknowledged means committed: a separate connection sees it.
  EXPECT_EQ(StoredCount(), 1);

  auto listed = List({});
  ASSERT_EQ(listed.interactions_size(), 1);
  Interaction stored = listed.interactions(0);
  EXPECT_GT(stored.sequence(), 0);
  stored.clear_sequence();
  EXPECT_EQ(stored.extra_data(), R"({"n": 1, "ab": "b"})");  // jsonb form
  stored.set_extra_data(event.extra_data());
  EXPECT_EQ(stored.SerializeAsString(), event.SerializeAsString())
      << stored.DebugString();
}

TEST_F(TrackingIntegrationTest, ServerFillsIdAndTimestamp) {
  const absl::Time before = absl::Now();
  Interaction event = View("u", 1, 0);
  event.clear_timestamp();
  smartshop::v1::TrackResponse response = TrackOk(event);
  EXPECT_EQ(response.event_id().size(), 36u);
  const auto listed = List({});
  ASSERT_EQ(listed.interactions_size(), 1);
  const auto& stored = listed.interactions(0);
  EXPECT_EQ(stored.event_id(), response.event_id());
  EXPECT_GE(stored.timestamp().seconds(), absl::ToUnixSeconds(before) - 1);
}

TEST_F(TrackingIntegrationTest, RetryWithSameEventIdIsADuplicate) {
  Interaction event = View("u", 1, 1'700'000'000);
  const std::string id = TrackOk(event).event_id();
  event.set_event_id(id);
  smartshop::v1::TrackResponse retry = TrackOk(event);
  EXPECT_EQ(retry.outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ(retry.event_id(), id);
  EXPECT_EQ(StoredCount(), 1);
}

TEST_F(TrackingIntegrationTest, ProductUnknownToTheCatalogIsStored) {
  EXPECT_EQ(TrackOk(View("u", 987654, 1'700'000'000)).outcome(),
            smartshop::v1::STORED);
}

TEST_F(TrackingIntegrationTest, EveryValidationRuleIsRefusedAndNothingStored) {
  struct Case {
    std::string field;
    std::function<void(Interaction&)> spoil;
  };
  const std::vector<Case> cases = {
      {"type", [](Interaction& e) { e.clear_type(); }},
      {"type",
       [](Interaction& e) {
         e.set_type(static_cast<smartshop::v1::InteractionType>(77));
       }},
      {"user_id", [](Interaction& e) { e.clear_user_id(); }},
      {"product_id", [](Interaction& e) { e.clear_product_id(); }},
      {"product_id",
       [](Interaction& e) {
         e.set_type(smartshop::v1::REVIEW_SUBMITTED);
         e.clear_product_id();
       }},
      {"category_id",
       [](Interaction& e) { e.set_type(smartshop::v1::VIEW_CATEGORY); }},
      {"search_query",
       [](Interaction& e) { e.set_type(smartshop::v1::SEARCH); }},
      {"order_id",
       [](Interaction& e) { e.set_type(smartshop::v1::ORDER_PLACED); }},
      {"quantity",
       [](Interaction& e) {
         e.set_type(smartshop::v1::ADD_TO_CART);
         e.set_quantity(0);
       }},
      {"quantity",
       [](Interaction& e) {
         e.set_type(smartshop::v1::UPDATE_CART);
         e.set_quantity(-2);
       }},
      {"ip_address", [](Interaction& e) { e.set_ip_address("999.1.1.1"); }},
      {"extra_data", [](Interaction& e) { e.set_extra_data("[1]"); }},
      {"extra_data",
       [](Interaction& e) {
         e.set_extra_data(
             absl::StrCat(R"({"k":")", std::string(17000, 'x'), "\"}"));
       }},
      {"page_url",
       [](Interaction& e) { e.set_page_url(std::string(2049, 'u')); }},
      {"referrer_url",
       [](Interaction& e) { e.set_referrer_url(std::string(2049, 'u')); }},
      {"user_agent",
       [](Interaction& e) { e.set_user_agent(std::string(513, 'a')); }},
      {"search_query",
       [](Interaction& e) {
         e.set_type(smartshop::v1::SEARCH);
         e.set_search_query(std::string(513, 'q'));
       }},
      {"timestamp",
       [](Interaction& e) {
         e.mutable_timestamp()->set_seconds(
             absl::ToUnixSeconds(absl::Now() + absl::Minutes(6)));
       }},
      {"event_id", [](Interaction& e) { e.set_event_id("1234"); }},
  };
  for (const Case& c : cases) {
    Interaction event = View("u", 5, 1'700'000'000);
    c.spoil(event);
    grpc::Status status = Track(event);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << c.field;
    EXPECT_THAT(status.error_message(), StartsWith(c.field + ":"));
  }
  EXPECT_EQ(StoredCount(), 0);
}

// Reproduced: year 1 was stored as 2001, year 12 as 2016, year 49 refused
// with Postgres's own text. Now each is refused with the bound, unstored.
TEST_F(TrackingIntegrationTest, EarlyYearsAreRefusedWithTheBoundNamed) {
  for (int year : {1, 12, 36, 49, 1989}) {
    Interaction event = View("u", 5, 0);
    event.mutable_timestamp()->set_seconds(absl::ToUnixSeconds(absl::FromCivil(
        absl::CivilSecond(year, 1, 1, 0, 0, 0), absl::UTCTimeZone())));
    grpc::Status status = Track(event);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << year;
    EXPECT_EQ(status.error_message(), "timestamp: before 1990-01-01T00:00:00Z")
        << year;
  }
  EXPECT_EQ(StoredCount(), 0);
}

// Reproduced: one event dated year 36 made the whole batch fail.
TEST_F(TrackingIntegrationTest, BatchWithAnEarlyYearStillStoresTheValidOne) {
  smartshop::v1::TrackBatchRequest request;
  *request.add_interactions() = View("a", 1, -61'031'000'000);  // year 36
  *request.add_interactions() = View("a", 2, 1'700'000'000);
  smartshop::v1::TrackBatchResponse response;
  grpc::Status status = server_.tracking().TrackBatch(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ(response.results(0).field(), "timestamp");
  EXPECT_EQ(response.results(0).error(), "before 1990-01-01T00:00:00Z");
  EXPECT_EQ(response.results(1).outcome(), smartshop::v1::STORED);
  EXPECT_EQ(StoredCount(), 1);
}

TEST_F(TrackingIntegrationTest, TrackWithoutInteractionIsInvalid) {
  smartshop::v1::TrackResponse response;
  grpc::Status status =
      server_.tracking().Track(TrackingHarness::Context().get(), {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TrackingIntegrationTest, BatchStoresValidEventsAndReportsEachOne) {
  const std::string dup_id = "9b2f3c44-7a61-4d3e-8f00-1a2b3c4d5e6f";
  smartshop::v1::TrackBatchRequest request;
  *request.add_interactions() = View("a", 1, 1'700'000'001);
  Interaction bad = View("a", 0, 1'700'000'002);
  *request.add_interactions() = bad;
  Interaction first = View("a", 3, 1'700'000'003);
  first.set_event_id(dup_id);
  *request.add_interactions() = first;
  *request.add_interactions() = first;  // same id again in the batch
  smartshop::v1::TrackBatchResponse response;
  ASSERT_TRUE(
      server_.tracking()
          .TrackBatch(TrackingHarness::Context().get(), request, &response)
          .ok());
  ASSERT_EQ(response.results_size(), 4);
  EXPECT_EQ(response.stored(), 2);
  EXPECT_EQ(response.duplicates(), 1);
  EXPECT_EQ(response.rejected(), 1);
  EXPECT_EQ(response.results(1).index(), 1);
  EXPECT_EQ(response.results(1).outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ(response.results(1).field(), "product_id");
  EXPECT_EQ(response.results(2).outcome(), smartshop::v1::STORED);
  EXPECT_EQ(response.results(3).outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ(StoredCount(), 2);

  // Retrying the whole batch with the ids the server chose stores nothing.
  request.mutable_interactions(0)->set_event_id(response.results(0).event_id());
  smartshop::v1::TrackBatchResponse retry;
  ASSERT_TRUE(server_.tracking()
                  .TrackBatch(TrackingHarness::Context().get(), request, &retry)
                  .ok());
  EXPECT_EQ(retry.stored(), 0);
  EXPECT_EQ(retry.duplicates(), 3);
  EXPECT_EQ(StoredCount(), 2);
}

TEST_F(TrackingIntegrationTest, BatchOverTheLimitIsRefusedWhole) {
  smartshop::v1::TrackBatchRequest request;
  for (int i = 0; i < 6; ++i) *request.add_interactions() = View("a", i + 1, 1);
  smartshop::v1::TrackBatchResponse response;
  grpc::Status status = server_.tracking().TrackBatch(
      TrackingHarness::Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("limit of 5"));
  EXPECT_EQ(StoredCount(), 0);
}

TEST_F(TrackingIntegrationTest, StreamCommitsSlicesAndListsWhatWasNotStored) {
  auto context = TrackingHarness::Context();
  smartshop::v1::StreamTrackResponse response;
  auto writer = server_.tracking().StreamTrack(context.get(), &response);
  smartshop::v1::StreamTrackRequest chunk;
  for (int i = 0; i < 7; ++i) {  // over the batch limit of 5: sliced
    *chunk.add_interactions() = View("s", i + 1, 1'700'000'000 + i);
  }
  chunk.mutable_interactions(4)->set_ip_address("nope");
  ASSERT_TRUE(writer->Write(chunk));
  smartshop::v1::StreamTrackRequest second;
  Interaction repeated = View("s", 9, 1'700'000'100);
  repeated.set_event_id("11111111-2222-4333-8444-555555555555");
  *second.add_interactions() = repeated;
  *second.add_interactions() = repeated;
  ASSERT_TRUE(writer->Write(second));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(response.received(), 9);
  EXPECT_EQ(response.stored(), 7);
  EXPECT_EQ(response.rejected(), 1);
  EXPECT_EQ(response.duplicates(), 1);
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).index(), 4);
  EXPECT_EQ(response.results(0).field(), "ip_address");
  EXPECT_EQ(response.results(1).index(), 8);
  EXPECT_EQ(response.results(1).outcome(), smartshop::v1::DUPLICATE);
  EXPECT_EQ(StoredCount(), 7);
}

TEST(StreamTrackLimitTest, ListsRejectionsBeforeDuplicatesWhenOverTheCap) {
  TestDatabase db;
  TrackingHarness server(db.url(), {.max_stream_results = 2});
  auto context = TrackingHarness::Context();
  smartshop::v1::StreamTrackResponse response;
  auto writer = server.tracking().StreamTrack(context.get(), &response);
  smartshop::v1::StreamTrackRequest chunk;
  Interaction same = View("s", 1, 1'700'000'000);
  same.set_event_id("11111111-2222-4333-8444-555555555555");
  for (int i = 0; i < 3; ++i) *chunk.add_interactions() = same;
  for (int i = 0; i < 2; ++i) *chunk.add_interactions() = View("s", 0, 1);
  ASSERT_TRUE(writer->Write(chunk));
  writer->WritesDone();
  ASSERT_TRUE(writer->Finish().ok());
  EXPECT_EQ(response.stored(), 1);
  EXPECT_EQ(response.duplicates(), 2);
  EXPECT_EQ(response.rejected(), 2);
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).index(), 3);
  EXPECT_EQ(response.results(1).index(), 4);
  EXPECT_EQ(response.results(1).outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ(response.results_omitted(), 2);
}

TEST_F(TrackingIntegrationTest, ListIsNewestFirstWithTiesBySequence) {
  TrackOk(View("u", 1, 1'700'000'010));
  TrackOk(View("u", 2, 1'700'000'030));
  TrackOk(View("u", 3, 1'700'000'020));
  TrackOk(View("u", 4, 1'700'000'030));  // same time as 2, stored later
  EXPECT_THAT(ListedProducts({}), ElementsAre(4, 2, 3, 1));
}

TEST_F(TrackingIntegrationTest, ListFiltersByUserSessionTypeAndTime) {
  TrackOk(View("alice", 1, 1'700'000'001));
  TrackOk(View("bob", 2, 1'700'000'002));
  Interaction anonymous = View("", 3, 1'700'000'003);
  anonymous.set_session_key("sess-9");
  TrackOk(anonymous);
  Interaction cart = View("alice", 4, 1'700'000'004);
  cart.set_type(smartshop::v1::ADD_TO_CART);
  cart.set_quantity(1);
  TrackOk(cart);
  Interaction search = View("alice", 0, 1'700'000'005);
  search.set_type(smartshop::v1::SEARCH);
  search.set_search_query("mug");
  TrackOk(search);

  smartshop::v1::ListInteractionsRequest r;
  r.set_user_id("alice");
  EXPECT_THAT(ListedProducts(r), ElementsAre(0, 4, 1));
  r.add_types(smartshop::v1::VIEW_PRODUCT);
  r.add_types(smartshop::v1::ADD_TO_CART);
  EXPECT_THAT(ListedProducts(r), ElementsAre(4, 1));
  r.set_limit(1);
  EXPECT_THAT(ListedProducts(r), ElementsAre(4));

  smartshop::v1::ListInteractionsRequest others;
  others.set_exclude_user_id("alice");  // anonymous events stay
  EXPECT_THAT(ListedProducts(others), ElementsAre(3, 2));

  smartshop::v1::ListInteractionsRequest session;
  session.set_session_key("sess-9");
  EXPECT_THAT(ListedProducts(session), ElementsAre(3));

  smartshop::v1::ListInteractionsRequest window;
  window.mutable_since()->set_seconds(1'700'000'002);
  window.mutable_until()->set_seconds(1'700'000'004);
  EXPECT_THAT(ListedProducts(window), ElementsAre(3, 2));
}

TEST_F(TrackingIntegrationTest, PagingVisitsEveryEventOnceInOrder) {
  smartshop::v1::TrackBatchRequest batch;
  for (int i = 0; i < 5; ++i) {
    *batch.add_interactions() = View("p", i + 1, 1'700'000'000 + i % 2);
  }
  smartshop::v1::TrackBatchResponse ignored;
  ASSERT_TRUE(server_.tracking()
                  .TrackBatch(TrackingHarness::Context().get(), batch, &ignored)
                  .ok());
  std::vector<int64_t> seen;
  smartshop::v1::ListInteractionsRequest r;
  r.set_limit(2);
  int pages = 0;
  do {
    auto page = List(r);
    for (const auto& i : page.interactions()) seen.push_back(i.product_id());
    r.set_page_token(page.next_page_token());
    ++pages;
  } while (!r.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  // Timestamps alternate 0,1,0,1,0 by product 1..5; newest first, ties by
  // sequence descending.
  EXPECT_THAT(seen, ElementsAre(4, 2, 5, 3, 1));
}

TEST_F(TrackingIntegrationTest, ListRejectsBadArguments) {
  smartshop::v1::ListInteractionsResponse response;
  smartshop::v1::ListInteractionsRequest r;
  r.set_limit(1001);
  EXPECT_EQ(
      server_.tracking()
          .ListInteractions(TrackingHarness::Context().get(), r, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  r.set_limit(10);
  r.set_page_token("bogus");
  EXPECT_EQ(
      server_.tracking()
          .ListInteractions(TrackingHarness::Context().get(), r, &response)
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
}

// --- Catalog -------------------------------------------------------------

smartshop::v1::Product MakeProduct(int64_t id, std::string name,
                                   int64_t category, int64_t sold,
                                   bool active) {
  smartshop::v1::Product p;
  p.set_id(id);
  p.set_name(std::move(name));
  p.set_category_id(category);
  p.set_units_sold(sold);
  p.set_is_active(active);
  p.set_price_cents(999);
  return p;
}

class CatalogIntegrationTest : public TrackingIntegrationTest {
 protected:
  void SetUp() override {
    smartshop::v1::UpsertCategoriesRequest categories;
    auto* c = categories.add_categories();
    c->set_id(1);
    c->set_name("Kitchen");
    smartshop::v1::UpsertCategoriesResponse cr;
    ASSERT_TRUE(
        server_.catalog()
            .UpsertCategories(TrackingHarness::Context().get(), categories, &cr)
            .ok());
    EXPECT_EQ(cr.upserted(), 1);
    smartshop::v1::UpsertProductsRequest products;
    *products.add_products() = MakeProduct(1, "Mug", 1, 50, true);
    *products.add_products() = MakeProduct(2, "Teapot", 1, 80, true);
    *products.add_products() = MakeProduct(3, "Old kettle", 1, 500, false);
    *products.add_products() = MakeProduct(4, "Spoon", 2, 50, true);
    products.mutable_products(3)->set_stock(0);
    smartshop::v1::UpsertProductsResponse pr;
    ASSERT_TRUE(
        server_.catalog()
            .UpsertProducts(TrackingHarness::Context().get(), products, &pr)
            .ok());
    EXPECT_EQ(pr.upserted(), 4);
  }

  std::vector<int64_t> ListIds(smartshop::v1::ListProductsRequest r) {
    smartshop::v1::ListProductsResponse response;
    EXPECT_TRUE(
        server_.catalog()
            .ListProducts(TrackingHarness::Context().get(), r, &response)
            .ok());
    std::vector<int64_t> ids;
    for (const auto& p : response.products()) ids.push_back(p.id());
    return ids;
  }
};

TEST_F(CatalogIntegrationTest, ListsByIdAndByTopSellers) {
  EXPECT_THAT(ListIds({}), ElementsAre(1, 2, 3, 4));
  smartshop::v1::ListProductsRequest top;
  top.set_active_only(true);
  top.set_order_by(smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC);
  EXPECT_THAT(ListIds(top), ElementsAre(2, 4, 1));  // tie 50: higher id first
}

TEST_F(CatalogIntegrationTest, PagesThroughTopSellers) {
  smartshop::v1::ListProductsRequest r;
  r.set_order_by(smartshop::v1::PRODUCT_ORDER_UNITS_SOLD_DESC);
  r.set_page_size(2);
  std::vector<int64_t> all;
  for (int pages = 0; pages < 5; ++pages) {
    smartshop::v1::ListProductsResponse response;
    ASSERT_TRUE(
        server_.catalog()
            .ListProducts(TrackingHarness::Context().get(), r, &response)
            .ok());
    for (const auto& p : response.products()) all.push_back(p.id());
    if (response.next_page_token().empty()) break;
    r.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(all, ElementsAre(3, 2, 4, 1));
}

TEST_F(CatalogIntegrationTest, UpsertReplacesAndGetReportsMissing) {
  smartshop::v1::UpsertProductsRequest update;
  *update.add_products() = MakeProduct(1, "Big mug", 1, 51, false);
  smartshop::v1::UpsertProductsResponse ur;
  ASSERT_TRUE(server_.catalog()
                  .UpsertProducts(TrackingHarness::Context().get(), update, &ur)
                  .ok());
  smartshop::v1::GetProductsRequest get;
  for (int64_t id : {4, 1, 99}) get.add_ids(id);
  smartshop::v1::GetProductsResponse response;
  ASSERT_TRUE(server_.catalog()
                  .GetProducts(TrackingHarness::Context().get(), get, &response)
                  .ok());
  ASSERT_EQ(response.products_size(), 2);
  EXPECT_EQ(response.products(0).id(), 4);
  EXPECT_EQ(response.products(0).category_name(), "");  // category 2 unknown
  EXPECT_TRUE(response.products(0).has_stock());
  EXPECT_EQ(response.products(0).stock(), 0);
  EXPECT_EQ(response.products(1).name(), "Big mug");
  EXPECT_EQ(response.products(1).category_name(), "Kitchen");
  EXPECT_FALSE(response.products(1).is_active());
  EXPECT_FALSE(response.products(1).has_stock());
  EXPECT_THAT(response.missing_ids(), ElementsAre(99));
}

TEST_F(CatalogIntegrationTest, InvalidUpsertWritesNothing) {
  smartshop::v1::UpsertProductsRequest update;
  *update.add_products() = MakeProduct(10, "Fine", 1, 1, true);
  *update.add_products() = MakeProduct(11, "", 1, 1, true);
  smartshop::v1::UpsertProductsResponse ur;
  grpc::Status status = server_.catalog().UpsertProducts(
      TrackingHarness::Context().get(), update, &ur);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("products[1].name"));
  EXPECT_EQ(QueryScalar(db_.url(), "SELECT count(*) FROM products"), "4");
}

TEST_F(CatalogIntegrationTest, GetProductsValidatesIds) {
  smartshop::v1::GetProductsRequest get;
  smartshop::v1::GetProductsResponse response;
  EXPECT_EQ(server_.catalog()
                .GetProducts(TrackingHarness::Context().get(), get, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  get.add_ids(-3);
  EXPECT_EQ(server_.catalog()
                .GetProducts(TrackingHarness::Context().get(), get, &response)
                .error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// --- Migrations and readiness ---------------------------------------------

TEST(MigrationsIntegrationTest, ApplyingTwiceAndConcurrentlyIsSafe) {
  TestDatabase db;
  PgPool pool({.url = db.url(), .size = 4});
  auto migrations = tracking::ParseMigrations(tracking::EmbeddedMigrations());
  ASSERT_TRUE(migrations.ok());
  std::atomic<int> applied_total{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 3; ++i) {
    replicas.emplace_back([&] {
      auto applied = tracking::ApplyMigrations(pool, *migrations,
                                               absl::Now() + absl::Seconds(30));
      EXPECT_TRUE(applied.ok()) << applied.status();
      if (applied.ok()) applied_total += *applied;
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(applied_total.load(), static_cast<int>(migrations->size()));
  auto again = tracking::ApplyMigrations(pool, *migrations,
                                         absl::Now() + absl::Seconds(30));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(QueryScalar(db.url(), "SELECT count(*) FROM schema_migrations"),
            absl::StrCat(migrations->size()));
}

TEST(ReadinessIntegrationTest, CallsAreUnavailableUntilMigrated) {
  TestDatabase db;
  TrackingHarness server(db.url(), {.migrate = false});
  smartshop::v1::TrackRequest request;
  *request.mutable_interaction() = View("u", 1, 1'700'000'000);
  smartshop::v1::TrackResponse response;
  EXPECT_EQ(server.tracking()
                .Track(TrackingHarness::Context().get(), request, &response)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

// --- Events the database refuses, and what callers are told ----------------

void ExpectNoDatabaseText(const std::string& message) {
  for (const char* leak :
       {"postgres", "ERROR", "interactions", "constraint", "SQL", "poison"}) {
    EXPECT_THAT(message, Not(HasSubstr(leak))) << message;
  }
}

// A poison event: valid to the validator, refused by the database (here by
// a constraint only this test adds, standing in for whatever row Postgres
// may refuse).
class PoisonEventTest : public TrackingIntegrationTest {
 protected:
  static constexpr int kPoison = 666;
  void SetUp() override {
    Execute(db_.url(),
            absl::StrCat("ALTER TABLE interactions ADD CONSTRAINT poison "
                         "CHECK (product_id IS DISTINCT FROM ",
                         kPoison, ")"));
  }
};

TEST_F(PoisonEventTest, TrackBatchRejectsOnlyThePoisonEvent) {
  smartshop::v1::TrackBatchRequest request;
  for (int product : {1, 2, kPoison, 4, 5}) {
    *request.add_interactions() = View("a", product, 1'700'000'000 + product);
  }
  smartshop::v1::TrackBatchResponse response;
  grpc::Status status = server_.tracking().TrackBatch(
      TrackingHarness::Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.stored(), 4);
  EXPECT_EQ(response.rejected(), 1);
  ASSERT_EQ(response.results_size(), 5);
  EXPECT_EQ(response.results(2).outcome(), smartshop::v1::REJECTED);
  EXPECT_EQ(response.results(2).field(), "");
  EXPECT_EQ(response.results(2).error(), "storage: event rejected");
  ExpectNoDatabaseText(response.results(2).error());
  EXPECT_EQ(StoredCount(), 4);
}

TEST_F(PoisonEventTest, StreamTrackRejectsOnlyThePoisonEvent) {
  auto context = TrackingHarness::Context();
  smartshop::v1::StreamTrackResponse response;
  auto writer = server_.tracking().StreamTrack(context.get(), &response);
  smartshop::v1::StreamTrackRequest chunk;
  for (int product : {1, 2, 3, kPoison, 5, 6, 7}) {  // slices of 5
    *chunk.add_interactions() = View("s", product, 1'700'000'000 + product);
  }
  ASSERT_TRUE(writer->Write(chunk));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.received(), 7);
  EXPECT_EQ(response.stored(), 6);
  EXPECT_EQ(response.rejected(), 1);
  ASSERT_EQ(response.results_size(), 1);
  EXPECT_EQ(response.results(0).index(), 3);
  EXPECT_EQ(response.results(0).error(), "storage: event rejected");
  EXPECT_EQ(StoredCount(), 6);
}

// Unary calls arriving together share a group commit; the poison event's
// caller alone fails, with no database text.
TEST_F(PoisonEventTest, ConcurrentTrackCallsSurviveAPoisonEvent) {
  constexpr int kCallers = 24;
  std::vector<grpc::Status> statuses(kCallers);
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      statuses[i] = Track(View("c", i == 7 ? kPoison : i + 1, 1'700'000'000));
    });
  }
  for (auto& t : callers) t.join();
  for (int i = 0; i < kCallers; ++i) {
    if (i == 7) {
      EXPECT_EQ(statuses[i].error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(statuses[i].error_message(), "storage: event rejected");
    } else {
      EXPECT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    }
  }
  EXPECT_EQ(StoredCount(), kCallers - 1);
}

TEST_F(TrackingIntegrationTest, StorageFailuresCarryNoDatabaseText) {
  Execute(db_.url(), "ALTER TABLE interactions RENAME TO moved_away");
  grpc::Status track = Track(View("u", 1, 1'700'000'000));
  EXPECT_EQ(track.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(track.error_message(), "storage: internal error");
  smartshop::v1::ListInteractionsResponse response;
  grpc::Status list = server_.tracking().ListInteractions(
      TrackingHarness::Context().get(), {}, &response);
  EXPECT_EQ(list.error_code(), grpc::StatusCode::INTERNAL);
  ExpectNoDatabaseText(list.error_message());
  Execute(db_.url(), "ALTER TABLE moved_away RENAME TO interactions");
}

TEST(UnreachableDatabaseTest, TrackIsUnavailableWithAGenericMessage) {
  // Port 1 on loopback: nothing listens there.
  TrackingHarness server("postgresql://nobody@127.0.0.1:1/none",
                         {.migrate = false});
  server.ready() = true;
  smartshop::v1::TrackRequest request;
  *request.mutable_interaction() = View("u", 1, 1'700'000'000);
  smartshop::v1::TrackResponse response;
  grpc::Status status = server.tracking().Track(
      TrackingHarness::Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(), "storage: unavailable");
}

}  // namespace
}  // namespace smartshop::testing
