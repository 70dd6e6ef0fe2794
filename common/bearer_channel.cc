#include "common/bearer_channel.h"

#include <grpcpp/support/client_interceptor.h>

#include <cstdlib>
#include <iostream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/caller_auth.h"

namespace smartshop {
namespace {

using grpc::experimental::InterceptionHookPoints;

class BearerTokenInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string* header)
      : header_(header) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      // A call may carry another caller's token on purpose (an erasure
      // forwarded on that caller's behalf): it is not doubled.
      auto* metadata = methods->GetSendInitialMetadata();
      if (metadata->find("authorization") == metadata->end()) {
        metadata->emplace("authorization", *header_);
      }
    }
    methods->Proceed();
  }

 private:
  const std::string* const header_;  // owned by the factory
};

class BearerTokenInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenInterceptorFactory(const std::string& token)
      : header_("Bearer " + token) {}

  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* /*info*/) override {
    return new BearerTokenInterceptor(&header_);
  }

 private:
  const std::string header_;
};

}  // namespace

std::shared_ptr<grpc::Channel> CreateChannelWithToken(
    const std::string& target,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const grpc::ChannelArguments& arguments, const std::string& token) {
  if (token.empty()) {
    return grpc::CreateCustomChannel(target, credentials, arguments);
  }
  std::vector<
      std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      std::make_unique<BearerTokenInterceptorFactory>(token));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, credentials, arguments, std::move(interceptors));
}

std::shared_ptr<grpc::Channel> CreateToolChannel(
    const std::string& target, const grpc::ChannelArguments& arguments) {
  const char* value = std::getenv(kTokenEnvironmentVariable);
  // A token read from a file often ends in a newline.
  std::string token(absl::StripAsciiWhitespace(value == nullptr ? "" : value));
  if (!IsBearerTokenText(token)) {
    // Never sent: gRPC would abort on the bad header, after logging it.
    std::cerr << kTokenEnvironmentVariable
              << " holds spaces or control characters: calls go without a "
                 "token\n";
    token.clear();
  }
  return CreateChannelWithToken(target, grpc::InsecureChannelCredentials(),
                                arguments, token);
}

}  // namespace smartshop
