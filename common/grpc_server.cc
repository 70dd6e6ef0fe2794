#include "common/grpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "common/grpc_observability.h"
#include "grpc/health/v1/health.pb.h"

namespace smartshop {

absl::StatusOr<StartedServer> StartGrpcServer(
    const GrpcServerOptions& options,
    const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  // Touch health.proto's descriptor so that the linker keeps it and
  // reflection can describe grpc.health.v1.Health (grpcurl needs that).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials(options.tls);
  if (!credentials.ok()) return credentials.status();
  grpc::ServerBuilder builder;
  StartedServer started;
  builder.AddListeningPort(options.listen_address, *credentials, &started.port);
  grpc::ResourceQuota quota("smartshop-server");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  // Keep finished handler threads polling instead of exiting: gRPC's
  // default (2) makes most sync calls start a thread of their own.
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, 2);
  builder.SetSyncServerOption(
      grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, options.max_threads);
  builder.SetMaxReceiveMessageSize(options.max_message_bytes);
  builder.SetMaxSendMessageSize(options.max_message_bytes);
  for (grpc::Service* service : services) builder.RegisterService(service);
  if (options.registry != nullptr) {
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(std::make_unique<GrpcObservabilityFactory>(
        *options.registry, options.slow_call));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  started.server = builder.BuildAndStart();
  if (started.server == nullptr || started.port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  started.server->GetHealthCheckService()->SetServingStatus(kLivenessService,
                                                            true);
  return started;
}

void BlockTerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

void DrainAndStop(grpc::Server& server, absl::Duration drain_timeout) {
  if (auto* health = server.GetHealthCheckService(); health != nullptr) {
    health->Shutdown();  // everything NOT_SERVING from now on
  }
  server.Shutdown(absl::ToChronoTime(absl::Now() + drain_timeout));
}

}  // namespace smartshop
