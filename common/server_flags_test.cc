#include "common/server_flags.h"

#include "absl/flags/reflection.h"
#include "gtest/gtest.h"

SMARTSHOP_SERVER_FLAGS("EXAMPLE", "127.0.0.1:50099", "127.0.0.1:9099");

namespace smartshop {
namespace {

TEST(ServerFlagsTest, DefaultsAndHelpNameTheBinarysService) {
  absl::StatusOr<ServerFlags> flags = ReadServerFlags();
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->listen_address, "127.0.0.1:50099");
  EXPECT_EQ(flags->admin_address, "127.0.0.1:9099");
  EXPECT_EQ(flags->drain_timeout, absl::Seconds(20));
  EXPECT_EQ(flags->tls.cert_file, "");
  EXPECT_FALSE(flags->insecure_no_auth);
  EXPECT_EQ(absl::FindCommandLineFlag("listen")->Help(),
            "gRPC listen address (env EXAMPLE_LISTEN)");
  EXPECT_EQ(absl::FindCommandLineFlag("drain_timeout")->Help(),
            "time in-flight calls get to finish after SIGTERM (env "
            "EXAMPLE_DRAIN_TIMEOUT)");
}

TEST(ServerFlagsTest, ReadsWhatTheCommandLineSet) {
  absl::FlagSaver restore;
  absl::SetFlag(&FLAGS_listen, "0.0.0.0:1");
  absl::SetFlag(&FLAGS_tls_client_ca_file, "/ca.pem");
  absl::SetFlag(&FLAGS_insecure_no_auth, true);
  absl::StatusOr<ServerFlags> flags = ReadServerFlags();
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->listen_address, "0.0.0.0:1");
  EXPECT_EQ(flags->tls.client_ca_file, "/ca.pem");
  absl::StatusOr<std::shared_ptr<const CallerAuth>> auth = flags->LoadAuth();
  ASSERT_TRUE(auth.ok()) << auth.status();
  EXPECT_FALSE((*auth)->enabled());
}

}  // namespace
}  // namespace smartshop
