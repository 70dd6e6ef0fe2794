// The client side of caller_auth.h: a channel whose every call carries
// "authorization: Bearer <token>". It is added as metadata by an
// interceptor rather than as call credentials, because gRPC sends call
// credentials only over TLS and local development runs plaintext.
#ifndef SMARTSHOP_COMMON_BEARER_CHANNEL_H_
#define SMARTSHOP_COMMON_BEARER_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

namespace smartshop {

// The tools (smartshop CLI, importer, benchmarks) read their token here.
inline constexpr char kTokenEnvironmentVariable[] = "SMARTSHOP_TOKEN";

// No metadata is added when `token` is empty.
std::shared_ptr<grpc::Channel> CreateChannelWithToken(
    const std::string& target,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const grpc::ChannelArguments& arguments, const std::string& token);

// A plaintext channel carrying the token in $SMARTSHOP_TOKEN, if set.
std::shared_ptr<grpc::Channel> CreateToolChannel(
    const std::string& target, const grpc::ChannelArguments& arguments = {});

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_BEARER_CHANNEL_H_
