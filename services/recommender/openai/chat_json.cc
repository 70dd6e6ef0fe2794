#include "services/recommender/openai/chat_json.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/json.hpp"

namespace smartshop::recommender {
namespace {

namespace json = boost::json;

// absl::string_view is not std::string_view in this abseil build.
std::string_view Std(absl::string_view s) { return {s.data(), s.size()}; }

// The first few characters of a bad reply, printable only, so that a
// status message helps diagnose without dumping a whole HTML page.
std::string Snippet(absl::string_view body) {
  constexpr size_t kMax = 60;
  std::string out;
  for (char c : body.substr(0, kMax)) {
    out.push_back(absl::ascii_isprint(static_cast<unsigned char>(c)) ? c : ' ');
  }
  if (body.size() > kMax) out += "...";
  return out;
}

absl::Status Malformed(absl::string_view why) {
  return absl::DataLossError(
      absl::StrCat("reply is not a Chat Completions object: ", why));
}

// Token counts are non-negative integers; anything else counts as zero
// rather than failing a reply whose content is fine.
int64_t TokenCount(const json::object& usage, std::string_view key) {
  const json::value* v = usage.if_contains(key);
  if (v == nullptr) return 0;
  if (v->is_int64()) return std::max<int64_t>(0, v->get_int64());
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  return 0;
}

}  // namespace

std::string BuildChatCompletionsBody(const ChatRequest& request) {
  json::array messages;
  messages.reserve(request.messages.size());
  for (const ChatMessage& m : request.messages) {
    messages.push_back(json::object{{"role", m.role}, {"content", m.content}});
  }
  json::object body;
  body["model"] = request.model;
  body["messages"] = std::move(messages);
  body["temperature"] = request.temperature;
  body["max_tokens"] = request.max_tokens;
  if (request.response_schema.has_value()) {
    body["response_format"] = json::object{
        {"type", "json_schema"},
        {"json_schema",
         json::object{{"name", request.response_schema->name},
                      {"strict", true},
                      {"schema", request.response_schema->schema}}}};
  }
  return json::serialize(body);
}

absl::StatusOr<ChatCompletion> ParseChatCompletionsBody(
    absl::string_view body, const TokenPrices& prices) {
  boost::system::error_code ec;
  json::value root = json::parse(Std(body), ec);
  if (ec) {
    return absl::DataLossError(absl::StrCat("reply is not JSON (", ec.message(),
                                            "): \"", Snippet(body), "\""));
  }
  const json::object* object = root.if_object();
  if (object == nullptr) return Malformed("not an object");
  const json::value* choices = object->if_contains("choices");
  if (choices == nullptr || !choices->is_array()) {
    return Malformed("no choices array");
  }
  if (choices->get_array().empty()) return Malformed("empty choices");
  const json::object* choice = choices->get_array()[0].if_object();
  const json::value* message =
      choice == nullptr ? nullptr : choice->if_contains("message");
  if (message == nullptr || !message->is_object()) {
    return Malformed("choices[0] has no message");
  }
  const json::object& message_object = message->get_object();
  std::string finish;
  if (const json::value* f = choice->if_contains("finish_reason");
      f != nullptr && f->is_string()) {
    finish = std::string(f->get_string());
  }
  ChatCompletion completion;
  completion.finish_reason = finish;
  const json::value* content = message_object.if_contains("content");
  const json::value* refusal = message_object.if_contains("refusal");
  if (refusal != nullptr && refusal->is_string()) {
    // Structured outputs report a refusal here, content null.
    completion.refusal = std::string(refusal->get_string());
  }
  if (content != nullptr && content->is_string()) {
    completion.content = std::string(content->get_string());
  } else if (refusal == nullptr || !refusal->is_string()) {
    // A tool call leaves content null.
    return Malformed(absl::StrCat("choices[0].message.content is not text",
                                  finish.empty() ? "" : " (finish_reason ",
                                  finish, finish.empty() ? "" : ")"));
  }

  if (const json::value* usage = object->if_contains("usage");
      usage != nullptr && usage->is_object()) {
    const json::object& u = usage->get_object();
    completion.prompt_tokens = TokenCount(u, "prompt_tokens");
    completion.completion_tokens = TokenCount(u, "completion_tokens");
    if (const json::value* details = u.if_contains("prompt_tokens_details");
        details != nullptr && details->is_object()) {
      // Never more than the prompt: a bad count must not make a call
      // look cheaper than free.
      completion.cached_prompt_tokens =
          std::min(completion.prompt_tokens,
                   TokenCount(details->get_object(), "cached_tokens"));
    }
  }
  completion.estimated_cost_usd =
      EstimateCostUsd(completion.prompt_tokens, completion.cached_prompt_tokens,
                      completion.completion_tokens, prices);
  return completion;
}

double EstimateCostUsd(int64_t prompt_tokens, int64_t cached_prompt_tokens,
                       int64_t completion_tokens, const TokenPrices& prices) {
  const int64_t cached = std::clamp<int64_t>(
      cached_prompt_tokens, 0, std::max<int64_t>(0, prompt_tokens));
  return (static_cast<double>(prompt_tokens - cached) *
              prices.input_per_million +
          static_cast<double>(cached) * prices.cached_input_per_million +
          static_cast<double>(completion_tokens) * prices.output_per_million) /
         1e6;
}

bool RejectsResponseFormat(int http_status, absl::string_view body) {
  if (http_status != 400) return false;
  boost::system::error_code ec;
  json::value root = json::parse(Std(body), ec);
  if (ec || !root.is_object()) return false;
  const json::value* error = root.get_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return false;
  for (std::string_view key : {"message", "param"}) {
    const json::value* v = error->get_object().if_contains(key);
    if (v == nullptr || !v->is_string()) continue;
    const std::string text = absl::AsciiStrToLower(
        absl::string_view(v->get_string().data(), v->get_string().size()));
    if (absl::StrContains(text, "response_format") ||
        absl::StrContains(text, "json_schema")) {
      return true;
    }
  }
  return false;
}

std::string ErrorMessageFromBody(absl::string_view body, size_t max_chars) {
  boost::system::error_code ec;
  json::value root = json::parse(Std(body), ec);
  if (ec || !root.is_object()) return "";
  const json::value* error = root.get_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return "";
  const json::value* message = error->get_object().if_contains("message");
  if (message == nullptr || !message->is_string()) return "";
  std::string text(message->get_string());
  if (text.size() > max_chars) {
    text.resize(max_chars);
    text += "...";
  }
  return text;
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view retry_after_ms,
                                              absl::string_view retry_after) {
  double value = 0;
  if (absl::SimpleAtod(absl::StripAsciiWhitespace(retry_after_ms), &value) &&
      std::isfinite(value) && value >= 0) {
    return absl::Milliseconds(value);
  }
  if (absl::SimpleAtod(absl::StripAsciiWhitespace(retry_after), &value) &&
      std::isfinite(value) && value >= 0) {
    return absl::Seconds(value);
  }
  return std::nullopt;
}

}  // namespace smartshop::recommender
