// A fake OpenAI Chat Completions endpoint over real HTTPS (Boost.Beast), for
// tests of the OpenAI client and for the demo. It records every request and
// answers with scripted replies (fake_reply.h): completions, error
// statuses, hangs, resets. Keep-alive is supported, and accepted
// connections are counted, so tests can check connection reuse. It reports
// cached prompt tokens like OpenAI's prompt caching (prompt_cache.h) and
// counts what it served: usage(), and GET .../fake/stats as JSON
// {"chat_requests", "completions", "prompt_tokens", "cached_prompt_tokens",
// "completion_tokens"} for a process outside.
#ifndef SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_OPENAI_SERVER_H_
#define SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_OPENAI_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "boost/json/value.hpp"
#include "tools/fake_openai/fake_reply.h"

namespace smartshop::fake_openai {

struct FakeOpenAiOptions {
  // IP address to listen on; port 0 picks a free one (see port()).
  std::string listen_host = "127.0.0.1";
  uint16_t port = 0;
  // PEM files of the server certificate (e.g. from WriteSelfSignedCert).
  std::string cert_file;
  std::string key_file;
  // Answer when no scripted reply is queued: the default picks, written
  // as each request asks (structured or not, by id or by name).
  FakeReply default_reply =
      FakeReply::Recommendations(DefaultRecommendations());
  // Answer every request with response_format 400 "... 'response_format'
  // ... not supported" (a gateway or model without structured outputs);
  // requests without it are answered as usual.
  bool reject_response_format = false;
};

// What the server served, for a replay to count calls and tokens at the
// fake. Cached tokens follow prompt_cache.h.
struct FakeUsage {
  int64_t chat_requests = 0;  // POST .../chat/completions, errors included
  int64_t completions = 0;    // 200 completions among them
  // Of the completions:
  int64_t prompt_tokens = 0;
  int64_t cached_prompt_tokens = 0;  // part of prompt_tokens
  int64_t completion_tokens = 0;
};

struct RecordedRequest {
  std::string method;
  std::string target;
  // In arrival order, names as sent (Authorization included, verbatim).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The body parsed as JSON; null when it is not JSON.
  boost::json::value json;

  // The first header called `name` (case-insensitive), "" when absent.
  std::string Header(absl::string_view name) const;
};

// Thread-safe: the setters and accessors may be called from any thread
// while the server runs on its own.
class FakeOpenAiServer {
 public:
  // Loads the certificate, binds and starts serving on a thread of its own.
  // INVALID_ARGUMENT for unusable certificate files, UNAVAILABLE when the
  // address cannot be bound.
  static absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> Start(
      FakeOpenAiOptions options);
  ~FakeOpenAiServer();  // Stop()
  FakeOpenAiServer(const FakeOpenAiServer&) = delete;
  FakeOpenAiServer& operator=(const FakeOpenAiServer&) = delete;

  // Closes every connection, pending hangs included, and joins the thread.
  // Returns promptly whatever the clients do. Idempotent.
  void Stop();

  uint16_t port() const { return port_; }
  // "https://127.0.0.1:<port>/v1", ready for the client's base_url.
  std::string base_url() const;

  // Closes every open connection without a word, as servers do with idle
  // keep-alive connections; returns once they are closed.
  void DropConnections();

  // The answer to requests when the queue is empty.
  void SetDefaultReply(FakeReply reply);
  // Answers for the next requests, one each, in order.
  void EnqueueReply(FakeReply reply);
  // See FakeOpenAiOptions::reject_response_format.
  void SetRejectResponseFormat(bool reject);

  FakeUsage usage() const;

  // A copy of every request read so far (whatever its path).
  std::vector<RecordedRequest> requests() const;
  int request_count() const;
  // TCP connections accepted.
  int connections_accepted() const;
  // Waits until `count` TLS handshakes have failed: the server learns of a
  // failed handshake after the client has given up (the client's alert
  // reaches it later), so a count read at once could be short.
  bool WaitForFailedHandshakes(int count, absl::Duration timeout) const;

 private:
  class Impl;
  explicit FakeOpenAiServer(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace smartshop::fake_openai

#endif  // SMARTSHOP_TOOLS_FAKE_OPENAI_FAKE_OPENAI_SERVER_H_
