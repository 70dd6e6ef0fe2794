// A minimal grpc.health.v1.Health/Check client for container health checks:
// Debian ships no grpc-health-probe. It speaks the two one-field messages of
// health.proto by hand over the generic stub, so it needs neither protoc nor
// the .proto at build time.
//
//   grpc_health_probe ADDRESS [SERVICE [TIMEOUT_SECONDS]]
//
// Exit status: 0 SERVING; 1 answered, but not SERVING; 2 no answer (refused,
// timed out, unknown service); 64 bad usage. One line on stderr says which.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";

// HealthCheckRequest { string service = 1; }
std::string EncodeRequest(const std::string& service) {
  if (service.empty()) return "";  // proto3 omits the default value
  std::string out(1, '\x0a');      // field 1, wire type 2 (length-delimited)
  for (uint64_t n = service.size();; n >>= 7) {
    if (n < 0x80) {
      out.push_back(static_cast<char>(n));
      break;
    }
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  return out + service;
}

bool ReadVarint(const std::string& in, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in[pos++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// HealthCheckResponse { ServingStatus status = 1; } -> status, or -1 when
// the bytes are not such a message. An absent field means UNKNOWN (0).
int64_t DecodeStatus(const std::string& in) {
  int64_t status = 0;
  size_t pos = 0;
  while (pos < in.size()) {
    uint64_t key = 0;
    uint64_t value = 0;
    if (!ReadVarint(in, pos, key)) return -1;
    switch (key & 7) {
      case 0:  // varint
        if (!ReadVarint(in, pos, value)) return -1;
        if ((key >> 3) == 1) status = static_cast<int64_t>(value);
        break;
      case 1:  // 64-bit
        pos += 8;
        break;
      case 2:  // length-delimited
        if (!ReadVarint(in, pos, value) || value > in.size() - pos) return -1;
        pos += value;
        break;
      case 5:  // 32-bit
        pos += 4;
        break;
      default:
        return -1;
    }
  }
  return pos == in.size() ? status : -1;
}

const char* StatusName(int64_t status) {
  switch (status) {
    case 0:
      return "UNKNOWN";
    case 1:
      return "SERVING";
    case 2:
      return "NOT_SERVING";
    case 3:
      return "SERVICE_UNKNOWN";
    default:
      return "unrecognised";
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::cerr
        << "usage: grpc_health_probe ADDRESS [SERVICE [TIMEOUT_SECONDS]]\n";
    return 64;
  }
  const std::string address = argv[1];
  const std::string service = argc > 2 ? argv[2] : "";
  const int timeout_seconds = argc > 3 ? std::atoi(argv[3]) : 3;
  if (timeout_seconds <= 0) {
    std::cerr
        << "grpc_health_probe: TIMEOUT_SECONDS must be a positive integer\n";
    return 64;
  }

  grpc::GenericStub stub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(timeout_seconds));
  const std::string request_bytes = EncodeRequest(service);
  grpc::Slice request_slice(request_bytes);
  const grpc::ByteBuffer request(&request_slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  grpc::CompletionQueue queue;
  auto call = stub.PrepareUnaryCall(&context, kCheckMethod, request, &queue);
  call->StartCall();
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  const bool got_event = queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  const std::string what = service.empty() ? "server" : service;
  if (!got_event || !status.ok()) {
    std::cerr << "grpc_health_probe: " << address << " " << what
              << ": no answer: "
              << (got_event ? status.error_message() : "queue closed")
              << " (code " << (got_event ? status.error_code() : -1) << ")\n";
    return 2;
  }
  std::vector<grpc::Slice> slices;
  std::string response_bytes;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& slice : slices) {
      response_bytes.append(reinterpret_cast<const char*>(slice.begin()),
                            slice.size());
    }
  }
  const int64_t serving = DecodeStatus(response_bytes);
  std::cerr << "grpc_health_probe: " << address << " " << what << ": "
            << StatusName(serving) << "\n";
  return serving == 1 ? 0 : 1;
}
