#include "tools/fake_openai/prompt_cache.h"

#include <functional>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "boost/json.hpp"

namespace smartshop::fake_openai {
namespace {

constexpr size_t kBlockChars = kCacheBlockTokens * kCharsPerToken;
constexpr size_t kMaxPrefixes = size_t{1} << 20;

size_t PrefixHash(absl::string_view prompt, size_t blocks) {
  return std::hash<std::string_view>{}(
      std::string_view(prompt.data(), blocks * kBlockChars));
}

}  // namespace

int64_t EstimateTokens(absl::string_view text) {
  return static_cast<int64_t>((text.size() + kCharsPerToken - 1) /
                              kCharsPerToken);
}

std::string PromptText(const boost::json::value& request) {
  std::string text;
  const boost::json::object* object = request.if_object();
  if (object == nullptr) return text;
  const boost::json::value* messages = object->if_contains("messages");
  if (messages == nullptr || !messages->is_array()) return text;
  for (const boost::json::value& m : messages->get_array()) {
    const boost::json::object* message = m.if_object();
    if (message == nullptr) continue;
    for (const char* key : {"role", "content"}) {
      const boost::json::value* v = message->if_contains(key);
      if (v != nullptr && v->is_string()) {
        absl::StrAppend(
            &text,
            absl::string_view(v->get_string().data(), v->get_string().size()),
            "\n");
      }
    }
  }
  return text;
}

int64_t PromptCache::LookupAndInsert(absl::string_view prompt) {
  const size_t blocks = prompt.size() / kBlockChars;
  // A prefix of k blocks seen implies all shorter ones were: stop at the
  // first miss.
  size_t matched = 0;
  while (matched < blocks &&
         prefixes_.contains(PrefixHash(prompt, matched + 1))) {
    ++matched;
  }
  if (prefixes_.size() + blocks > kMaxPrefixes) prefixes_.clear();
  for (size_t k = 1; k <= blocks; ++k) prefixes_.insert(PrefixHash(prompt, k));
  const int64_t tokens = static_cast<int64_t>(matched) * kCacheBlockTokens;
  return tokens >= kMinCachedTokens ? tokens : 0;
}

}  // namespace smartshop::fake_openai
