#include "common/admin_http_server.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace smartshop {
namespace {

using ::smartshop::testing::StatusIs;
using ::testing::HasSubstr;

namespace beast = boost::beast;
namespace http = beast::http;

struct AdminReply {
  int status = 0;  // 0: no answer
  std::string content_type;
  std::string cache_control;
  std::string body;
};

AdminReply AdminSend(int port, http::verb verb, const std::string& target,
                     const std::string& authorization = "") {
  AdminReply reply;
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(boost::asio::ip::tcp::endpoint(
        boost::asio::ip::make_address("127.0.0.1"),
        static_cast<uint16_t>(port)));
    http::request<http::empty_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (!authorization.empty()) {
      request.set(http::field::authorization, authorization);
    }
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    reply.status = response.result_int();
    reply.content_type = std::string(response[http::field::content_type]);
    reply.cache_control = std::string(response[http::field::cache_control]);
    reply.body = response.body();
  } catch (const std::exception&) {
    reply.status = 0;
  }
  return reply;
}

AdminReply AdminGet(int port, const std::string& target,
                    const std::string& authorization = "") {
  return AdminSend(port, http::verb::get, target, authorization);
}

std::unique_ptr<AdminHttpServer> StartAdminWith(
    std::vector<AdminRoute> routes) {
  auto server = AdminHttpServer::Start({.routes = std::move(routes)});
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? std::move(*server) : nullptr;
}

TEST(AdminHttpServerTest, ServesBuiltinPathsWithoutRoutes) {
  auto server = StartAdminWith({});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(AdminGet(server->port(), "/healthz").body, "ok\n");
  EXPECT_EQ(AdminGet(server->port(), "/readyz").status, 200);
  EXPECT_EQ(AdminGet(server->port(), "/metrics").status, 200);
  const AdminReply missing = AdminGet(server->port(), "/dashboard");
  EXPECT_EQ(missing.status, 404);
  EXPECT_THAT(missing.body, HasSubstr("/metrics"));
}

TEST(AdminHttpServerTest, PassesQueryAndAuthorizationToARoute) {
  AdminRequest seen;
  auto server = StartAdminWith(
      {{.path = "/echo", .handler = [&](const AdminRequest& request) {
          seen = request;
          return AdminResponse{.status = 202,
                               .content_type = "application/json",
                               .body = "{\"ok\":true}",
                               .headers = {{"Cache-Control", "no-store"}}};
        }}});
  ASSERT_NE(server, nullptr);
  const AdminReply reply =
      AdminGet(server->port(), "/echo?range=7d&x=%20", "Bearer secret-token");
  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.cache_control, "no-store");
  EXPECT_EQ(reply.body, "{\"ok\":true}");
  EXPECT_EQ(seen.query, "range=7d&x=%20");
  EXPECT_EQ(seen.authorization, "Bearer secret-token");

  AdminGet(server->port(), "/echo");
  EXPECT_EQ(seen.query, "");
  EXPECT_EQ(seen.authorization, "");
}

TEST(AdminHttpServerTest, MatchesRoutePathsExactly) {
  auto server =
      StartAdminWith({{.path = "/page", .handler = [](const AdminRequest&) {
                         return AdminResponse{.body = "page"};
                       }}});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(AdminGet(server->port(), "/page").body, "page");
  EXPECT_EQ(AdminGet(server->port(), "/page/").status, 404);
  EXPECT_EQ(AdminGet(server->port(), "/pages").status, 404);
  EXPECT_EQ(AdminGet(server->port(), "/healthz").body, "ok\n");
}

TEST(AdminHttpServerTest, RefusesOtherMethodsOnARoute) {
  int calls = 0;
  auto server =
      StartAdminWith({{.path = "/page", .handler = [&](const AdminRequest&) {
                         ++calls;
                         return AdminResponse{.body = "page"};
                       }}});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(AdminSend(server->port(), http::verb::post, "/page").status, 405);
  EXPECT_EQ(calls, 0);
}

// A slow route (a dashboard waiting for its data) must not make the
// liveness probe time out.
TEST(AdminHttpServerTest, SlowRouteDoesNotDelayProbes) {
  absl::Notification entered;
  absl::Notification release;
  auto server = StartAdminWith(
      {{.path = "/slow", .handler = [&](const AdminRequest&) {
          entered.Notify();
          release.WaitForNotificationWithTimeout(absl::Seconds(10));
          return AdminResponse{.body = "late"};
        }}});
  ASSERT_NE(server, nullptr);
  AdminReply slow;
  std::thread client([&] { slow = AdminGet(server->port(), "/slow"); });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(5)));
  const absl::Time before = absl::Now();
  EXPECT_EQ(AdminGet(server->port(), "/healthz").body, "ok\n");
  EXPECT_LT(absl::Now() - before, absl::Seconds(2));
  release.Notify();
  client.join();
  EXPECT_EQ(slow.body, "late");
}

TEST(AdminHttpServerTest, RejectsInvalidRoutes) {
  auto ok = [](const AdminRequest&) { return AdminResponse{}; };
  EXPECT_THAT(AdminHttpServer::Start({.routes = {{"dashboard", ok}}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("routes[0].path")));
  EXPECT_THAT(AdminHttpServer::Start({.routes = {{"/a?b", ok}}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("routes[0].path")));
  EXPECT_THAT(
      AdminHttpServer::Start({.routes = {{"/metrics", ok}}}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("built in")));
  EXPECT_THAT(
      AdminHttpServer::Start({.routes = {{"/a", ok}, {"/a", ok}}}).status(),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("routes[1].path /a is also routes[0]")));
  EXPECT_THAT(AdminHttpServer::Start({.routes = {{"/a", nullptr}}}).status(),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("routes[0].handler")));
}

}  // namespace
}  // namespace smartshop
