#include "common/edge_policy.h"

#include <grpcpp/test/server_context_test_spouse.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace smartshop {
namespace {

constexpr char kTracking[] = "smartshop.v1.TrackingService";
constexpr char kEdgeWriterToken[] = "writer-token-0123456789abcdef0123";
constexpr char kEdgeReaderToken[] = "reader-token-0123456789abcdef0123";

std::shared_ptr<const CallerAuth> WriterAndReader() {
  auto auth = CallerAuth::Parse(
      absl::StrCat("shop-backend read,write ", kEdgeWriterToken, "\n",
                   "recommender read ", kEdgeReaderToken, "\n"));
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *auth;
}

std::string BearerHeader(absl::string_view token) {
  return absl::StrCat("Bearer ", token);
}

EdgePolicy::Readiness NotReady() {
  return [] { return absl::UnavailableError("tracking is starting"); };
}

TEST(EdgePolicyTest, AdmitsACallerWithTheMethodsScope) {
  EdgePolicy policy(kTracking, WriterAndReader());
  EXPECT_TRUE(policy.Admit("Track", BearerHeader(kEdgeWriterToken)).ok());
  EXPECT_TRUE(
      policy.Admit("ListInteractions", BearerHeader(kEdgeReaderToken)).ok());
}

TEST(EdgePolicyTest, MissingTokenIsUnauthenticatedNamingTheMethod) {
  EdgePolicy policy(kTracking, WriterAndReader());
  EXPECT_EQ(policy.Admit("Track", ""),
            absl::UnauthenticatedError(
                "Track: missing \"authorization: Bearer <token>\" metadata"));
  EXPECT_EQ(policy.Admit("Track", "Basic abc"),
            absl::UnauthenticatedError(
                "Track: authorization metadata must be \"Bearer <token>\""));
  EXPECT_EQ(policy.Admit("Track", BearerHeader("not-a-known-token")),
            absl::UnauthenticatedError("Track: unknown token"));
}

TEST(EdgePolicyTest, WrongScopeIsPermissionDenied) {
  EdgePolicy policy(kTracking, WriterAndReader());
  EXPECT_EQ(policy.Admit("DeleteUserData", BearerHeader(kEdgeReaderToken)),
            absl::PermissionDeniedError(
                "DeleteUserData: caller recommender lacks the write scope"));
}

TEST(EdgePolicyTest, NotReadyAnswersTheReadinessStatusAfterAuthentication) {
  EdgePolicy policy(kTracking, WriterAndReader(), NotReady());
  EXPECT_EQ(policy.Admit("Track", BearerHeader(kEdgeWriterToken)),
            absl::UnavailableError("tracking is starting"));
  // Strangers learn nothing about the service's state.
  EXPECT_EQ(policy.Admit("Track", "").code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(EdgePolicyTest, DisabledAuthLetsEveryoneInButReadinessStillHolds) {
  EXPECT_TRUE(
      EdgePolicy(kTracking, CallerAuth::Disabled()).Admit("Track", "").ok());
  EXPECT_EQ(EdgePolicy(kTracking, CallerAuth::Disabled(), NotReady())
                .Admit("Track", ""),
            absl::UnavailableError("tracking is starting"));
}

TEST(EdgePolicyTest, MethodWithoutADeclaredScopeIsRefused) {
  EdgePolicy policy(kTracking, CallerAuth::Disabled());
  EXPECT_EQ(policy.Admit("Forget", ""),
            absl::InternalError("Forget: no scope declared for "
                                "smartshop.v1.TrackingService/Forget"));
  EXPECT_EQ(EdgePolicy("smartshop.v1.Unknown", CallerAuth::Disabled())
                .Admit("Track", "")
                .code(),
            absl::StatusCode::kInternal);
}

TEST(EdgePolicyTest, ReadsTheCallsAuthorizationMetadata) {
  EdgePolicy policy(kTracking, WriterAndReader());
  grpc::ServerContext context;
  grpc::testing::ServerContextTestSpouse spouse(&context);
  grpc::Status denied = policy.Admit(context, "Track");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(denied.error_message(),
            "Track: missing \"authorization: Bearer <token>\" metadata");
  spouse.AddClientMetadata("authorization", BearerHeader(kEdgeReaderToken));
  denied = policy.Admit(context, "Track");
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(),
            "Track: caller recommender lacks the write scope");
  EXPECT_TRUE(policy.Admit(context, "Subscribe").ok());
}

}  // namespace
}  // namespace smartshop
