// The fake's model of OpenAI's automatic prompt caching, so that a replay
// sees cached tokens where OpenAI would discount them: a request's prompt
// is cached up to the longest prefix it shares with an earlier request, in
// whole blocks of 128 tokens, and only from 1024 tokens on. Tokens are
// estimated at 4 characters each (the fake has no tokenizer).
#ifndef SMARTSHOP_TOOLS_FAKE_OPENAI_PROMPT_CACHE_H_
#define SMARTSHOP_TOOLS_FAKE_OPENAI_PROMPT_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "boost/json/value.hpp"

namespace smartshop::fake_openai {

inline constexpr int64_t kCharsPerToken = 4;
inline constexpr int64_t kCacheBlockTokens = 128;
inline constexpr int64_t kMinCachedTokens = 1024;

// ceil(characters / 4).
int64_t EstimateTokens(absl::string_view text);

// The text a request's prompt is cached by: each message's role and
// content, in order. "" when `request` has no messages array.
std::string PromptText(const boost::json::value& request);

// Not thread-safe (the server calls it under its lock).
class PromptCache {
 public:
  // The cached tokens for `prompt` given the prompts seen so far; then
  // remembers `prompt` for later requests.
  int64_t LookupAndInsert(absl::string_view prompt);

 private:
  // Hashes of every block-aligned prefix seen. Cleared when it grows past
  // a bound, as OpenAI's cache also forgets.
  absl::flat_hash_set<size_t> prefixes_;
};

}  // namespace smartshop::fake_openai

#endif  // SMARTSHOP_TOOLS_FAKE_OPENAI_PROMPT_CACHE_H_
