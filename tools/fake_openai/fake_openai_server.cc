#include "tools/fake_openai/fake_openai_server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/ssl.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "boost/json.hpp"
#include "tools/fake_openai/prompt_cache.h"

namespace smartshop::fake_openai {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// Kept-alive connections close after this long without a request.
constexpr auto kIdleTimeout = std::chrono::seconds(60);
constexpr uint64_t kMaxRequestBytes = 8 << 20;

std::string ToString(beast::string_view s) { return {s.data(), s.size()}; }

// Everything the sessions and the server object share. Sessions run on the
// server's thread; tests read and script from theirs.
struct State {
  mutable absl::Mutex mu;
  FakeReply default_reply ABSL_GUARDED_BY(mu);
  std::deque<FakeReply> script ABSL_GUARDED_BY(mu);
  std::vector<RecordedRequest> requests ABSL_GUARDED_BY(mu);
  int connections_accepted ABSL_GUARDED_BY(mu) = 0;
  int handshakes_failed ABSL_GUARDED_BY(mu) = 0;
  bool reject_response_format ABSL_GUARDED_BY(mu) = false;
  PromptCache prompt_cache ABSL_GUARDED_BY(mu);
  FakeUsage usage ABSL_GUARDED_BY(mu);

  FakeReply NextReply() {
    absl::MutexLock lock(&mu);
    if (script.empty()) return default_reply;
    FakeReply reply = std::move(script.front());
    script.pop_front();
    return reply;
  }
};

// What the answer depends on in a chat request.
struct ChatView {
  json::value request;
  bool structured = false;             // response_format json_schema
  bool by_id = false;                  // answer with product ids
  std::vector<int64_t> candidate_ids;  // in the prompt's order
  int64_t prompt_tokens = 0;           // estimated
  int64_t cached_tokens = 0;
};

// The ids of the hybrid prompt's candidates, {"product_id":N,"product":...}
// (the summary's entries carry product_id too, but not first).
std::vector<int64_t> CandidateIds(absl::string_view prompt) {
  constexpr absl::string_view kOpen = "{\"product_id\":";
  std::vector<int64_t> ids;
  for (size_t at = prompt.find(kOpen); at != absl::string_view::npos;
       at = prompt.find(kOpen, at + 1)) {
    size_t end = at + kOpen.size();
    int64_t id = 0;
    size_t digits = 0;
    while (end < prompt.size() && prompt[end] >= '0' && prompt[end] <= '9' &&
           digits < 18) {
      id = id * 10 + (prompt[end] - '0');
      ++end;
      ++digits;
    }
    if (digits > 0 && absl::StartsWith(prompt.substr(end), ",\"product\":")) {
      ids.push_back(id);
    }
  }
  return ids;
}

ChatView ViewOf(json::value request) {
  ChatView view;
  view.request = std::move(request);
  const json::object* object = view.request.if_object();
  if (object == nullptr) return view;
  const json::value* format = object->if_contains("response_format");
  if (format != nullptr && format->is_object()) {
    const json::value* type = format->get_object().if_contains("type");
    view.structured = type != nullptr && type->is_string() &&
                      type->get_string() == "json_schema";
  }
  const std::string prompt = PromptText(view.request);
  view.candidate_ids = CandidateIds(prompt);
  if (view.structured) {
    // The schema says how picks are named.
    boost::system::error_code ec;
    const json::value* items = format->find_pointer(
        "/json_schema/schema/properties/recommendations/items/properties", ec);
    view.by_id = items != nullptr && items->is_object() &&
                 items->get_object().contains("product_id");
  } else {
    view.by_id = !view.candidate_ids.empty();
  }
  if (view.by_id && view.candidate_ids.empty()) {
    for (int64_t id = 1; id <= 8; ++id) view.candidate_ids.push_back(id);
  }
  view.prompt_tokens = EstimateTokens(prompt);
  return view;
}

// The message content `reply` stands for, given the request.
std::string ContentFor(const FakeReply& reply, const ChatView& view) {
  if (!reply.recommendations) return reply.content;
  const std::vector<int64_t> no_ids;
  const std::vector<int64_t>& ids = view.by_id ? view.candidate_ids : no_ids;
  return view.structured
             ? StructuredRecommendationsJson(*reply.recommendations, ids)
             : RecommendationsJson(*reply.recommendations, ids);
}

struct Usage {
  int64_t prompt_tokens = 0;
  int64_t cached_tokens = 0;
  int64_t completion_tokens = 0;
};

std::string CompletionBody(const FakeReply& reply, const ChatView& view,
                           int64_t id, Usage* usage) {
  const json::value& request = view.request;
  std::string model = "gpt-4o-mini";
  if (const json::object* object = request.if_object()) {
    if (const json::value* m = object->if_contains("model");
        m != nullptr && m->is_string()) {
      model = std::string(m->get_string());
    }
  }
  json::object message{{"role", "assistant"}};
  std::string content;
  if (reply.refusal.empty()) {
    content = ContentFor(reply, view);
    message["content"] = content;
    message["refusal"] = nullptr;
  } else {
    message["content"] = nullptr;
    message["refusal"] = reply.refusal;
  }
  json::object choice{{"index", 0},
                      {"message", std::move(message)},
                      {"logprobs", nullptr},
                      {"finish_reason", reply.finish_reason}};
  usage->prompt_tokens = reply.prompt_tokens == FakeReply::kEstimateTokens
                             ? view.prompt_tokens
                             : reply.prompt_tokens;
  usage->cached_tokens = std::min(view.cached_tokens, usage->prompt_tokens);
  usage->completion_tokens =
      reply.completion_tokens == FakeReply::kEstimateTokens
          ? EstimateTokens(content)
          : reply.completion_tokens;
  json::object usage_json{
      {"prompt_tokens", usage->prompt_tokens},
      {"completion_tokens", usage->completion_tokens},
      {"total_tokens", usage->prompt_tokens + usage->completion_tokens},
      {"prompt_tokens_details",
       json::object{{"cached_tokens", usage->cached_tokens}}}};
  json::object body{{"id", absl::StrCat("chatcmpl-fake-", id)},
                    {"object", "chat.completion"},
                    {"created", absl::ToUnixSeconds(absl::Now())},
                    {"model", model},
                    {"choices", json::array{std::move(choice)}},
                    {"usage", std::move(usage_json)}};
  return json::serialize(body);
}

std::string UsageJson(const FakeUsage& usage) {
  return json::serialize(
      json::object{{"chat_requests", usage.chat_requests},
                   {"completions", usage.completions},
                   {"prompt_tokens", usage.prompt_tokens},
                   {"cached_prompt_tokens", usage.cached_prompt_tokens},
                   {"completion_tokens", usage.completion_tokens}});
}

// One client connection: handshake, then requests until the client closes,
// a reply says close, or the server stops.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ssl::context& context,
          std::shared_ptr<State> state)
      : stream_(std::move(socket), context),
        timer_(stream_.get_executor()),
        state_(std::move(state)) {}

  void Start() {
    beast::get_lowest_layer(stream_).expires_after(kHandshakeTimeout);
    stream_.async_handshake(ssl::stream_base::server,
                            [self = shared_from_this()](beast::error_code ec) {
                              if (ec) {
                                if (!self->aborted_) {
                                  absl::MutexLock lock(&self->state_->mu);
                                  ++self->state_->handshakes_failed;
                                }
                                return;
                              }
                              self->Read();
                            });
  }

  // Ends the session at once: pending operations complete as aborted and
  // start nothing new.
  void Abort() {
    aborted_ = true;
    timer_.cancel();
    beast::get_lowest_layer(stream_).close();
  }

 private:
  void Read() {
    if (aborted_) return;
    parser_.emplace();
    parser_->body_limit(kMaxRequestBytes);
    beast::get_lowest_layer(stream_).expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       self->OnRead(ec);
                     });
  }

  void OnRead(beast::error_code ec) {
    if (aborted_) return;
    if (ec == http::error::end_of_stream) return Shutdown();
    if (ec) return;  // reset, timeout, garbage: drop the connection
    http::request<http::string_body> request = parser_->release();
    const bool keep_alive = request.keep_alive();

    RecordedRequest record;
    record.method = ToString(request.method_string());
    record.target = ToString(request.target());
    for (const auto& field : request) {
      record.headers.emplace_back(ToString(field.name_string()),
                                  ToString(field.value()));
    }
    record.body = request.body();
    boost::system::error_code parse_error;
    record.json = json::parse(request.body(), parse_error);
    if (parse_error) record.json = nullptr;
    absl::string_view path = record.target;
    path = path.substr(0, path.find('?'));
    const bool is_chat = request.method() == http::verb::post &&
                         absl::EndsWith(path, "/chat/completions");
    const bool is_stats = request.method() == http::verb::get &&
                          absl::EndsWith(path, "/fake/stats");
    int64_t id = 0;
    ChatView view;
    if (is_chat) view = ViewOf(record.json);
    const std::string prompt = is_chat ? PromptText(record.json) : "";
    std::optional<FakeReply> reply;
    {
      absl::MutexLock lock(&state_->mu);
      state_->requests.push_back(record);
      id = static_cast<int64_t>(state_->requests.size());
      if (is_chat) {
        ++state_->usage.chat_requests;
        view.cached_tokens = state_->prompt_cache.LookupAndInsert(prompt);
        if (view.structured && state_->reject_response_format) {
          // A gateway without structured outputs; the script is kept for
          // the retry.
          reply = FakeReply::Error(
              400,
              "Invalid parameter: 'response_format' of type 'json_schema' is "
              "not supported with this model.");
        }
      } else if (is_stats) {
        reply = FakeReply::Raw(200, UsageJson(state_->usage));
      }
    }
    if (!reply) {
      reply = is_chat ? state_->NextReply()
                      : FakeReply::Error(
                            404, absl::StrCat("no route for ", record.method,
                                              " ", record.target));
    }
    if (reply->delay <= absl::ZeroDuration()) {
      return Answer(*std::move(reply), std::move(view), id, keep_alive);
    }
    timer_.expires_after(absl::ToChronoNanoseconds(reply->delay));
    timer_.async_wait([self = shared_from_this(), reply = *std::move(reply),
                       view = std::move(view), id,
                       keep_alive](beast::error_code ec) mutable {
      if (ec || self->aborted_) return;
      self->Answer(std::move(reply), std::move(view), id, keep_alive);
    });
  }

  void Answer(FakeReply reply, ChatView view, int64_t id, bool keep_alive) {
    if (reply.kind == FakeReply::Kind::kReset) {
      // Linger 0 turns close() into a TCP RST: what a crashing proxy does.
      tcp::socket& socket = beast::get_lowest_layer(stream_).socket();
      beast::error_code ignored;
      socket.set_option(net::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      return;
    }
    auto response = std::make_shared<http::response<http::string_body>>();
    response->version(11);
    response->set(http::field::server, "fake_openai");
    if (reply.kind == FakeReply::Kind::kCompletion) {
      response->result(http::status::ok);
      response->set(http::field::content_type, "application/json");
      Usage usage;
      response->body() = CompletionBody(reply, view, id, &usage);
      absl::MutexLock lock(&state_->mu);
      ++state_->usage.completions;
      state_->usage.prompt_tokens += usage.prompt_tokens;
      state_->usage.cached_prompt_tokens += usage.cached_tokens;
      state_->usage.completion_tokens += usage.completion_tokens;
    } else {
      response->result(static_cast<unsigned>(reply.status));
      response->set(http::field::content_type, reply.content_type);
      response->body() = std::move(reply.body);
    }
    for (const auto& [name, value] : reply.headers) {
      response->set(name, value);
    }
    keep_alive = keep_alive && !reply.close_connection;
    response->keep_alive(keep_alive);
    response->prepare_payload();
    http::async_write(stream_, *response,
                      [self = shared_from_this(), response, keep_alive](
                          beast::error_code ec, size_t) {
                        if (ec || self->aborted_) return;
                        keep_alive ? self->Read() : self->Shutdown();
                      });
  }

  void Shutdown() {
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(1));
    // Errors are ignored: the session ends either way (stream_truncated
    // just means the client closed TCP without a close_notify).
    stream_.async_shutdown([self = shared_from_this()](beast::error_code) {
      beast::get_lowest_layer(self->stream_).close();
    });
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer timer_;  // for FakeReply::delay
  std::shared_ptr<State> state_;
  bool aborted_ = false;
};

}  // namespace

std::string RecordedRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (absl::EqualsIgnoreCase(key, name)) return value;
  }
  return "";
}

class FakeOpenAiServer::Impl {
 public:
  Impl() : ssl_context_(ssl::context::tlsv12_server), acceptor_(ioc_) {}

  absl::Status Init(const FakeOpenAiOptions& options) {
    state_ = std::make_shared<State>();
    {
      absl::MutexLock lock(&state_->mu);
      state_->default_reply = options.default_reply;
      state_->reject_response_format = options.reject_response_format;
    }
    // tlsv12_server caps the version at 1.2; let clients use TLS 1.3.
    SSL_CTX_set_max_proto_version(ssl_context_.native_handle(), 0);
    beast::error_code ec;
    ssl_context_.use_certificate_chain_file(options.cert_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("cert_file ", options.cert_file, ": ", ec.message()));
    }
    ssl_context_.use_private_key_file(options.key_file, ssl::context::pem, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("key_file ", options.key_file, ": ", ec.message()));
    }
    const net::ip::address address =
        net::ip::make_address(options.listen_host, ec);
    if (ec) {
      return absl::InvalidArgumentError(absl::StrCat(
          "listen host ", options.listen_host, ": ", ec.message()));
    }
    const tcp::endpoint endpoint(address, options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options.listen_host, ":",
                       options.port, ": ", ec.message()));
    }
    // A wildcard address is reached through the loopback one.
    std::string host = address.is_unspecified()
                           ? (address.is_v6() ? "::1" : "127.0.0.1")
                           : address.to_string();
    if (address.is_v6()) host = absl::StrCat("[", host, "]");
    port_ = acceptor_.local_endpoint(ec).port();
    base_url_ = absl::StrCat("https://", host, ":", port_, "/v1");
    Accept();
    // No work guard: run() returns once Stop() has ended every session.
    thread_ = std::thread([this] { ioc_.run(); });
    return absl::OkStatus();
  }

  void Stop() {
    if (!thread_.joinable()) return;
    net::post(ioc_, [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      AbortSessions();
    });
    thread_.join();
  }

  void DropConnections() {
    if (!thread_.joinable()) return;
    absl::Notification done;
    net::post(ioc_, [this, &done] {
      AbortSessions();
      done.Notify();
    });
    done.WaitForNotification();
  }

  uint16_t port() const { return port_; }
  const std::string& base_url() const { return base_url_; }
  State& state() { return *state_; }

 private:
  void Accept() {
    acceptor_.async_accept(
        ioc_, [this](beast::error_code ec, tcp::socket socket) {
          if (!acceptor_.is_open()) return;
          if (!ec) {
            {
              absl::MutexLock lock(&state_->mu);
              ++state_->connections_accepted;
            }
            auto session = std::make_shared<Session>(std::move(socket),
                                                     ssl_context_, state_);
            std::erase_if(sessions_, [](const std::weak_ptr<Session>& weak) {
              return weak.expired();
            });
            sessions_.push_back(session);
            session->Start();
          }
          Accept();
        });
  }

  void AbortSessions() {
    for (const std::weak_ptr<Session>& weak : sessions_) {
      if (std::shared_ptr<Session> session = weak.lock()) session->Abort();
    }
    sessions_.clear();
  }

  net::io_context ioc_;
  ssl::context ssl_context_;
  tcp::acceptor acceptor_;
  std::shared_ptr<State> state_;
  // Live sessions, touched on the server thread only.
  std::vector<std::weak_ptr<Session>> sessions_;
  uint16_t port_ = 0;
  std::string base_url_;
  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<FakeOpenAiServer>> FakeOpenAiServer::Start(
    FakeOpenAiOptions options) {
  auto impl = std::make_unique<Impl>();
  if (absl::Status s = impl->Init(options); !s.ok()) return s;
  return std::unique_ptr<FakeOpenAiServer>(
      new FakeOpenAiServer(std::move(impl)));
}

FakeOpenAiServer::FakeOpenAiServer(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)), port_(impl_->port()) {}

FakeOpenAiServer::~FakeOpenAiServer() { Stop(); }

void FakeOpenAiServer::Stop() { impl_->Stop(); }

std::string FakeOpenAiServer::base_url() const { return impl_->base_url(); }

void FakeOpenAiServer::DropConnections() { impl_->DropConnections(); }

void FakeOpenAiServer::SetDefaultReply(FakeReply reply) {
  absl::MutexLock lock(&impl_->state().mu);
  impl_->state().default_reply = std::move(reply);
}

void FakeOpenAiServer::EnqueueReply(FakeReply reply) {
  absl::MutexLock lock(&impl_->state().mu);
  impl_->state().script.push_back(std::move(reply));
}

void FakeOpenAiServer::SetRejectResponseFormat(bool reject) {
  absl::MutexLock lock(&impl_->state().mu);
  impl_->state().reject_response_format = reject;
}

FakeUsage FakeOpenAiServer::usage() const {
  absl::MutexLock lock(&impl_->state().mu);
  return impl_->state().usage;
}

std::vector<RecordedRequest> FakeOpenAiServer::requests() const {
  absl::MutexLock lock(&impl_->state().mu);
  return impl_->state().requests;
}

int FakeOpenAiServer::request_count() const {
  absl::MutexLock lock(&impl_->state().mu);
  return static_cast<int>(impl_->state().requests.size());
}

int FakeOpenAiServer::connections_accepted() const {
  absl::MutexLock lock(&impl_->state().mu);
  return impl_->state().connections_accepted;
}

bool FakeOpenAiServer::WaitForFailedHandshakes(int count,
                                               absl::Duration timeout) const {
  State& state = impl_->state();
  absl::MutexLock lock(&state.mu);
  auto reached = [&state, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state.mu) {
    return state.handshakes_failed >= count;
  };
  return state.mu.AwaitWithTimeout(absl::Condition(&reached), timeout);
}

}  // namespace smartshop::fake_openai
