#include "services/recommender/cache/local_answer_cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"

namespace smartshop::recommender {
namespace {

// The list node, the index slot and the key's two copies, roughly.
constexpr int64_t kEntryOverhead = 128;

}  // namespace

LocalAnswerCache::LocalAnswerCache(LocalCacheOptions options,
                                   const Clock* clock)
    : options_(options),
      shard_max_bytes_(std::max<int64_t>(options.max_bytes / kShards, 0)),
      clock_(clock) {}

LocalAnswerCache::Shard& LocalAnswerCache::ShardOf(const std::string& key) {
  return shards_[absl::Hash<std::string>()(key) % kShards];
}

void LocalAnswerCache::Erase(Shard& shard, std::list<Entry>::iterator it) {
  shard.bytes -= it->bytes;
  shard.index.erase(it->key);
  shard.lru.erase(it);
}

LocalAnswerCache::Ticket LocalAnswerCache::Begin(const std::string& key) {
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  return shard.drops;
}

std::optional<smartshop::v1::Recommendations> LocalAnswerCache::Get(
    const std::string& key) {
  if (!enabled()) return std::nullopt;
  std::shared_ptr<const smartshop::v1::Recommendations> value;
  {
    Shard& shard = ShardOf(key);
    absl::MutexLock lock(&shard.mu);
    auto found = shard.index.find(key);
    if (found == shard.index.end()) return std::nullopt;
    auto it = found->second;
    if (it->expires <= clock_->Now()) {
      Erase(shard, it);
      return std::nullopt;
    }
    shard.lru.splice(shard.lru.begin(), shard.lru, it);
    value = it->value;
  }
  // Copied outside the lock: the caller changes its copy.
  return *value;
}

void LocalAnswerCache::Put(const std::string& key, Ticket ticket,
                           const smartshop::v1::Recommendations& value,
                           absl::Duration lifetime) {
  if (!enabled() || lifetime <= absl::ZeroDuration()) return;
  const int64_t bytes = kEntryOverhead + 2 * static_cast<int64_t>(key.size()) +
                        static_cast<int64_t>(value.SpaceUsedLong());
  if (bytes > shard_max_bytes_) return;
  auto copy = std::make_shared<const smartshop::v1::Recommendations>(value);
  const absl::Time expires = clock_->Now() + std::min(options_.ttl, lifetime);
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  if (shard.drops != ticket) return;
  if (auto found = shard.index.find(key); found != shard.index.end()) {
    Erase(shard, found->second);
  }
  while (!shard.lru.empty() && shard.bytes + bytes > shard_max_bytes_) {
    Erase(shard, std::prev(shard.lru.end()));
  }
  shard.lru.push_front(Entry{key, std::move(copy), expires, bytes});
  shard.index.emplace(key, shard.lru.begin());
  shard.bytes += bytes;
}

void LocalAnswerCache::Drop(const std::string& key) {
  Shard& shard = ShardOf(key);
  absl::MutexLock lock(&shard.mu);
  ++shard.drops;
  if (auto found = shard.index.find(key); found != shard.index.end()) {
    Erase(shard, found->second);
  }
}

void LocalAnswerCache::DropAll() {
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    ++shard.drops;
    shard.index.clear();
    shard.lru.clear();
    shard.bytes = 0;
  }
}

int64_t LocalAnswerCache::bytes() const {
  int64_t total = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.bytes;
  }
  return total;
}

size_t LocalAnswerCache::entries() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    total += shard.index.size();
  }
  return total;
}

}  // namespace smartshop::recommender
