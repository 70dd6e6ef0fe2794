#include "services/recommender/tracking_reader.h"

#include <grpcpp/test/client_context_test_peer.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "smartshop/v1/catalog_mock.grpc.pb.h"
#include "smartshop/v1/tracking_mock.grpc.pb.h"
#include "tests/testing/status_matchers.h"

namespace smartshop::recommender {
namespace {

using ::smartshop::testing::StatusIs;
using ::testing::_;
using ::testing::Property;
using ::testing::Return;
using ::testing::StrictMock;

// What the reader sent with one call.
struct SentContext {
  std::chrono::system_clock::time_point deadline;
  std::multimap<std::string, std::string> metadata;
};

SentContext Capture(grpc::ClientContext* context) {
  return {
      context->deadline(),
      grpc::testing::ClientContextTestPeer(context).GetSendInitialMetadata()};
}

v1::ListProductsResponse ProductsPage(std::initializer_list<int64_t> ids,
                                      const std::string& next_page_token) {
  v1::ListProductsResponse page;
  for (int64_t id : ids) page.add_products()->set_id(id);
  page.set_next_page_token(next_page_token);
  return page;
}

class GrpcTrackingReaderTest : public ::testing::Test {
 protected:
  GrpcTrackingReaderTest() {
    auto tracking = std::make_unique<StrictMock<v1::MockTrackingServiceStub>>();
    auto catalog = std::make_unique<StrictMock<v1::MockCatalogServiceStub>>();
    tracking_ = tracking.get();
    catalog_ = catalog.get();
    reader_ = std::make_unique<GrpcTrackingReader>(std::move(tracking),
                                                   std::move(catalog));
  }

  const absl::Time deadline_ = absl::Now() + absl::Seconds(3);
  StrictMock<v1::MockTrackingServiceStub>* tracking_;  // owned by reader_
  StrictMock<v1::MockCatalogServiceStub>* catalog_;    // owned by reader_
  std::unique_ptr<GrpcTrackingReader> reader_;
};

TEST_F(GrpcTrackingReaderTest, ListInteractionsSendsTheRequestWithDeadline) {
  v1::ListInteractionsRequest request;
  request.set_user_id("u1");
  request.set_limit(50);
  v1::ListInteractionsResponse response;
  response.add_interactions()->set_product_id(7);
  response.add_interactions()->set_product_id(3);
  SentContext sent;
  EXPECT_CALL(*tracking_,
              ListInteractions(
                  _,
                  ::testing::AllOf(
                      Property(&v1::ListInteractionsRequest::user_id, "u1"),
                      Property(&v1::ListInteractionsRequest::limit, 50)),
                  _))
      .WillOnce([&](grpc::ClientContext* context, const auto&,
                    v1::ListInteractionsResponse* out) {
        sent = Capture(context);
        *out = response;
        return grpc::Status::OK;
      });

  auto interactions = reader_->ListInteractions(request, deadline_);

  ASSERT_TRUE(interactions.ok()) << interactions.status();
  EXPECT_THAT(*interactions, ::testing::ElementsAre(
                                 Property(&v1::Interaction::product_id, 7),
                                 Property(&v1::Interaction::product_id, 3)));
  EXPECT_EQ(sent.deadline, absl::ToChronoTime(deadline_));
}

TEST_F(GrpcTrackingReaderTest, ListInteractionsKeepsTheCodeAndNamesTheCall) {
  EXPECT_CALL(*tracking_, ListInteractions(_, _, _))
      .WillOnce(Return(
          grpc::Status(grpc::StatusCode::UNAVAILABLE, "connection refused")));

  EXPECT_THAT(
      reader_->ListInteractions(v1::ListInteractionsRequest(), deadline_),
      StatusIs(absl::StatusCode::kUnavailable,
               "tracking ListInteractions: connection refused"));
}

// gRPC and absl number the canonical codes alike (the tests above and
// below check a few by name); every one is kept.
TEST_F(GrpcTrackingReaderTest, KeepsEveryGrpcCode) {
  for (int code = grpc::StatusCode::CANCELLED;
       code <= grpc::StatusCode::UNAUTHENTICATED; ++code) {
    EXPECT_CALL(*tracking_, ListInteractions(_, _, _))
        .WillOnce(
            Return(grpc::Status(static_cast<grpc::StatusCode>(code), "why")));

    EXPECT_THAT(
        reader_->ListInteractions(v1::ListInteractionsRequest(), deadline_),
        StatusIs(static_cast<absl::StatusCode>(code),
                 "tracking ListInteractions: why"));
  }
}

TEST_F(GrpcTrackingReaderTest, ListAllProductsFollowsPageTokensToTheEnd) {
  ::testing::InSequence pages;
  std::vector<SentContext> sent;
  auto page = [&](v1::ListProductsResponse response) {
    return [&sent, response](grpc::ClientContext* context, const auto&,
                             v1::ListProductsResponse* out) {
      sent.push_back(Capture(context));
      *out = response;
      return grpc::Status::OK;
    };
  };
  EXPECT_CALL(
      *catalog_,
      ListProducts(
          _,
          ::testing::AllOf(Property(&v1::ListProductsRequest::page_size, 1000),
                           Property(&v1::ListProductsRequest::page_token, "")),
          _))
      .WillOnce(page(ProductsPage({1, 2}, "after-2")));
  EXPECT_CALL(
      *catalog_,
      ListProducts(
          _,
          ::testing::AllOf(
              Property(&v1::ListProductsRequest::page_size, 1000),
              Property(&v1::ListProductsRequest::page_token, "after-2")),
          _))
      .WillOnce(page(ProductsPage({3}, "after-3")));
  EXPECT_CALL(
      *catalog_,
      ListProducts(_, Property(&v1::ListProductsRequest::page_token, "after-3"),
                   _))
      .WillOnce(page(ProductsPage({}, "")));

  auto products = reader_->ListAllProducts(deadline_);

  ASSERT_TRUE(products.ok()) << products.status();
  EXPECT_THAT(*products, ::testing::ElementsAre(Property(&v1::Product::id, 1),
                                                Property(&v1::Product::id, 2),
                                                Property(&v1::Product::id, 3)));
  // One deadline for the whole listing, not one per page.
  ASSERT_EQ(sent.size(), 3u);
  for (const SentContext& call : sent) {
    EXPECT_EQ(call.deadline, absl::ToChronoTime(deadline_));
  }
}

TEST_F(GrpcTrackingReaderTest, ListAllProductsFailsWholeWhenAPageFails) {
  ::testing::InSequence pages;
  EXPECT_CALL(*catalog_, ListProducts(_, _, _))
      .WillOnce(::testing::DoAll(
          ::testing::SetArgPointee<2>(ProductsPage({1, 2}, "after-2")),
          Return(grpc::Status::OK)));
  EXPECT_CALL(*catalog_, ListProducts(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                    "Deadline Exceeded")));

  EXPECT_THAT(reader_->ListAllProducts(deadline_),
              StatusIs(absl::StatusCode::kDeadlineExceeded,
                       "tracking ListProducts: Deadline Exceeded"));
}

TEST_F(GrpcTrackingReaderTest, ListMerchandisingRulesReadsAllWithDeadline) {
  std::vector<SentContext> sent;
  EXPECT_CALL(*catalog_, ListMerchandisingRules(_, _, _))
      .WillOnce([&](grpc::ClientContext* context, const auto&,
                    v1::ListMerchandisingRulesResponse* out) {
        sent.push_back(Capture(context));
        out->add_rules()->set_id("a");
        out->add_rules()->set_id("b");
        return grpc::Status::OK;
      });
  auto rules = reader_->ListMerchandisingRules(deadline_);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_THAT(*rules, ::testing::ElementsAre(
                          Property(&v1::MerchandisingRule::id, "a"),
                          Property(&v1::MerchandisingRule::id, "b")));
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].deadline, absl::ToChronoTime(deadline_));
}

TEST_F(GrpcTrackingReaderTest, ListMerchandisingRulesKeepsTheCode) {
  EXPECT_CALL(*catalog_, ListMerchandisingRules(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "no")));
  EXPECT_THAT(reader_->ListMerchandisingRules(deadline_),
              StatusIs(absl::StatusCode::kUnimplemented,
                       ::testing::HasSubstr("ListMerchandisingRules")));
}

TEST_F(GrpcTrackingReaderTest, DeleteUserDataForwardsTheCallersAuthorization) {
  SentContext sent;
  EXPECT_CALL(
      *tracking_,
      DeleteUserData(
          _, Property(&v1::DeleteUserDataRequest::user_id, "shopper-9"), _))
      .WillOnce([&](grpc::ClientContext* context, const auto&,
                    v1::DeleteUserDataResponse* out) {
        sent = Capture(context);
        out->set_deleted_interactions(12);
        return grpc::Status::OK;
      });

  auto deleted =
      reader_->DeleteUserData("shopper-9", deadline_, "Bearer caller-token");

  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->deleted_interactions(), 12);
  EXPECT_EQ(sent.deadline, absl::ToChronoTime(deadline_));
  EXPECT_THAT(sent.metadata, ::testing::ElementsAre(::testing::Pair(
                                 "authorization", "Bearer caller-token")));
}

TEST_F(GrpcTrackingReaderTest, DeleteUserDataWithoutCallerAddsNoMetadata) {
  SentContext sent;
  EXPECT_CALL(*tracking_, DeleteUserData(_, _, _))
      .WillOnce([&](grpc::ClientContext* context, const auto&,
                    v1::DeleteUserDataResponse* out) {
        sent = Capture(context);
        out->set_deleted_interactions(0);
        return grpc::Status::OK;
      });

  auto deleted = reader_->DeleteUserData("shopper-9", deadline_, "");

  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->deleted_interactions(), 0);
  EXPECT_TRUE(sent.metadata.empty());
}

TEST_F(GrpcTrackingReaderTest, DeleteUserDataKeepsTheRefusal) {
  EXPECT_CALL(*tracking_, DeleteUserData(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                    "scope tracking.erase required")));

  EXPECT_THAT(reader_->DeleteUserData("shopper-9", deadline_, "Bearer x"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "tracking DeleteUserData: scope tracking.erase "
                       "required"));
}

TEST(TrackingChannelArgumentsTest, ReconnectsWithinASecond) {
  const grpc::ChannelArguments arguments = TrackingChannelArguments();
  const grpc_channel_args args = arguments.c_channel_args();
  std::map<std::string, int> ints;
  for (size_t i = 0; i < args.num_args; ++i) {
    if (args.args[i].type == GRPC_ARG_INTEGER) {
      ints[args.args[i].key] = args.args[i].value.integer;
    }
  }
  EXPECT_EQ(ints[GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS], 100);
  EXPECT_EQ(ints[GRPC_ARG_MAX_RECONNECT_BACKOFF_MS], 1000);
}

}  // namespace
}  // namespace smartshop::recommender
