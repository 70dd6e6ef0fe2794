#include "services/recommender/engine_stats.h"

namespace smartshop::recommender {

void EngineCounters::CountCache(absl::string_view result) {
  if (metrics_ != nullptr) metrics_->CacheResult(result);
  absl::MutexLock lock(&mu_);
  if (result == "hit") {
    ++stats_.cache_hits;
  } else if (result == "local_hit") {
    ++stats_.cache_hits;
    ++stats_.local_hits;
  } else if (result == "fenced") {
    return;
  } else if (result == "miss") {
    ++stats_.cache_misses;
  } else {
    ++stats_.cache_errors;
  }
}

void EngineCounters::CountFallback(absl::string_view code) {
  if (metrics_ != nullptr) metrics_->Fallback(code);
}

void EngineCounters::CountTopSellers(absl::string_view code) {
  CountFallback(code);
  absl::MutexLock lock(&mu_);
  ++stats_.fallbacks;
}

void EngineCounters::CountModelCall() {
  absl::MutexLock lock(&mu_);
  ++stats_.model_calls;
}

void EngineCounters::CountAssignment(absl::string_view experiment,
                                     absl::string_view variant) {
  if (metrics_ != nullptr) metrics_->ExperimentAssignment(experiment, variant);
}

void EngineCounters::CountInvalidation(const char* result) {
  if (metrics_ != nullptr) metrics_->Invalidation(result);
}

EngineStats EngineCounters::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace smartshop::recommender
