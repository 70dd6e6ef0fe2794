#include "services/recommender/model/model_reply_store.h"

#include <openssl/evp.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "boost/json.hpp"

namespace smartshop::recommender {

std::string ModelReplyKey(const ChatRequest& request) {
  // Boost.JSON writes strings escaped and objects in insertion order: one
  // text per request. The layout's own version comes first, so that a
  // change here never matches replies stored under the old one.
  boost::json::array messages;
  for (const ChatMessage& m : request.messages) {
    messages.push_back(boost::json::array{boost::json::string(m.role),
                                          boost::json::string(m.content)});
  }
  boost::json::object canonical;
  canonical["v"] = 1;
  canonical["model"] = request.model;
  canonical["temperature"] = absl::StrFormat("%.17g", request.temperature);
  canonical["max_tokens"] = request.max_tokens;
  if (request.response_schema.has_value()) {
    canonical["schema_name"] = request.response_schema->name;
    canonical["schema"] = request.response_schema->schema;
  }
  canonical["messages"] = std::move(messages);
  const std::string text = boost::json::serialize(canonical);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest with SHA-256 fails only when out of memory: then no key
  // matches another (the text itself is unique, if long).
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(),
                 nullptr) != 1) {
    return absl::StrCat("smartshop:model_reply:raw:", text);
  }
  return absl::StrCat("smartshop:model_reply:",
                      absl::BytesToHexString(absl::string_view(
                          reinterpret_cast<const char*>(digest), length)));
}

std::string EncodeStoredReply(const StoredReply& reply) {
  return absl::StrCat(reply.structured ? "s" : "p", reply.content);
}

std::optional<StoredReply> DecodeStoredReply(absl::string_view value) {
  if (value.empty() || (value[0] != 's' && value[0] != 'p')) {
    return std::nullopt;
  }
  return StoredReply{.content = std::string(value.substr(1)),
                     .structured = value[0] == 's'};
}

absl::StatusOr<std::optional<StoredReply>> InMemoryModelReplyStore::Get(
    const std::string& key, absl::Time) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires <= clock_.Now()) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.reply;
}

absl::Status InMemoryModelReplyStore::Put(const std::string& key,
                                          const StoredReply& reply,
                                          absl::Duration ttl, absl::Time) {
  const absl::Time now = clock_.Now();
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= max_entries_ && !entries_.contains(key)) {
    // Full: drop what has expired, else the entry expiring first.
    absl::erase_if(entries_, [&](const auto& entry) {
      return entry.second.expires <= now;
    });
    if (entries_.size() >= max_entries_) {
      auto first = std::min_element(
          entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
            return a.second.expires < b.second.expires;
          });
      entries_.erase(first);
    }
  }
  entries_[key] = {reply, now + ttl};
  return absl::OkStatus();
}

}  // namespace smartshop::recommender
