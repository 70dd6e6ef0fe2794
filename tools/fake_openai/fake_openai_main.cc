// fake_openai: a stand-in for api.openai.com for the demo and for manual
// tests. Serves POST .../chat/completions over HTTPS until SIGTERM/SIGINT,
// answering every request with the same picks (written as each request
// asks: structured or not, by id or by name) or --reply_file's content.
// GET .../fake/stats answers what it served (requests, tokens by kind).
//
//   fake_openai --make_cert_dir=/tmp/fake --port_file=/tmp/fake/port &
//   OPENAI_BASE_URL=https://127.0.0.1:$(cat /tmp/fake/port)/v1
//   OPENAI_CA_FILE=/tmp/fake/cert.pem  (for the recommender)
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/grpc_server.h"
#include "common/json_log.h"
#include "tools/fake_openai/fake_openai_server.h"
#include "tools/fake_openai/fake_reply.h"
#include "tools/fake_openai/self_signed_cert.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0",
          "host:port to listen on ([v6]:port for IPv6); port 0 picks one");
ABSL_FLAG(std::string, port_file, "",
          "if set, the chosen port is written here once listening");
ABSL_FLAG(std::string, cert_file, "", "PEM certificate to serve");
ABSL_FLAG(std::string, key_file, "", "PEM private key of --cert_file");
ABSL_FLAG(std::string, make_cert_dir, "",
          "instead of --cert_file/--key_file: generate a self-signed "
          "certificate into this directory (cert.pem, key.pem); clients "
          "trust it with OPENAI_CA_FILE=<dir>/cert.pem");
ABSL_FLAG(std::string, reply_file, "",
          "content of every reply (choices[0].message.content); default: "
          "a valid array of 8 products");
ABSL_FLAG(std::string, reply_mode, "recommendations",
          "without --reply_file: recommendations (the default picks), refusal "
          "(message.refusal, content null) or schema_violation (an object "
          "off the picks' schema)");
ABSL_FLAG(bool, reject_response_format, false,
          "answer requests with response_format 400 (a gateway without "
          "structured outputs)");
ABSL_FLAG(absl::Duration, reply_delay, absl::ZeroDuration(),
          "wait this long before each answer, as a slow model does");

namespace smartshop::fake_openai {
namespace {

absl::Status ParseListen(const std::string& listen, FakeOpenAiOptions* out) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError("--listen: want host:port");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  uint32_t port = 0;
  if (!absl::SimpleAtoi(listen.substr(colon + 1), &port) || port > 65535) {
    return absl::InvalidArgumentError("--listen: bad port");
  }
  out->listen_host = host;
  out->port = static_cast<uint16_t>(port);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Written whole and then renamed, so that a script polling for the file
// never reads half a number.
absl::Status WritePortFile(const std::string& path, int port) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << port << "\n";
    if (!out)
      return absl::UnavailableError(absl::StrCat("cannot write ", temp));
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot rename to ", path, ": ", ec.message()));
  }
  return absl::OkStatus();
}

absl::Status Run() {
  FakeOpenAiOptions options;
  if (absl::Status s = ParseListen(absl::GetFlag(FLAGS_listen), &options);
      !s.ok()) {
    return s;
  }
  if (const std::string dir = absl::GetFlag(FLAGS_make_cert_dir);
      !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("--make_cert_dir ", dir, ": ", ec.message()));
    }
    absl::StatusOr<CertFiles> files = WriteSelfSignedCert(dir);
    if (!files.ok()) return files.status();
    options.cert_file = files->cert_file;
    options.key_file = files->key_file;
  } else {
    options.cert_file = absl::GetFlag(FLAGS_cert_file);
    options.key_file = absl::GetFlag(FLAGS_key_file);
    if (options.cert_file.empty() || options.key_file.empty()) {
      return absl::InvalidArgumentError(
          "need --cert_file and --key_file, or --make_cert_dir");
    }
  }
  if (const std::string path = absl::GetFlag(FLAGS_reply_file); !path.empty()) {
    absl::StatusOr<std::string> content = ReadFile(path);
    if (!content.ok()) return content.status();
    options.default_reply = FakeReply::Completion(*std::move(content));
  } else if (const std::string mode = absl::GetFlag(FLAGS_reply_mode);
             mode == "refusal") {
    options.default_reply = FakeReply::Refusal();
  } else if (mode == "schema_violation") {
    options.default_reply = FakeReply::Completion(SchemaViolatingJson());
  } else if (mode != "recommendations") {
    return absl::InvalidArgumentError(
        absl::StrCat("--reply_mode=", mode,
                     " must be recommendations, refusal or schema_violation"));
  }
  options.reject_response_format = absl::GetFlag(FLAGS_reject_response_format);
  options.default_reply.delay = absl::GetFlag(FLAGS_reply_delay);

  absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> server =
      FakeOpenAiServer::Start(options);
  if (!server.ok()) return server.status();
  if (const std::string path = absl::GetFlag(FLAGS_port_file); !path.empty()) {
    if (absl::Status s = WritePortFile(path, (*server)->port()); !s.ok()) {
      return s;
    }
  }
  const std::string base_url = (*server)->base_url();
  Log(LogLevel::kInfo, "fake_openai_listening",
      {{"port", static_cast<int64_t>((*server)->port())},
       {"base_url", base_url},
       {"cert_file", options.cert_file}});

  const int signal = WaitForTerminationSignal();
  (*server)->Stop();
  const FakeUsage usage = (*server)->usage();
  Log(LogLevel::kInfo, "fake_openai_stopped",
      {{"signal", static_cast<int64_t>(signal)},
       {"requests", static_cast<int64_t>((*server)->request_count())},
       {"chat_requests", usage.chat_requests},
       {"completions", usage.completions},
       {"prompt_tokens", usage.prompt_tokens},
       {"cached_prompt_tokens", usage.cached_prompt_tokens},
       {"completion_tokens", usage.completion_tokens}});
  return absl::OkStatus();
}

}  // namespace
}  // namespace smartshop::fake_openai

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "HTTPS fake of the OpenAI Chat Completions API for demos and tests");
  absl::ParseCommandLine(argc, argv);
  // Before any thread starts, so that only the signal wait sees them.
  smartshop::BlockTerminationSignals();
  absl::Status status = smartshop::fake_openai::Run();
  if (!status.ok()) {
    smartshop::Log(smartshop::LogLevel::kError, "fake_openai_failed",
                   {{"error", status.message()}});
    return 1;
  }
  return 0;
}
