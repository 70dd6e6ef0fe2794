#include "services/recommender/catalog_refresher.h"

#include <algorithm>
#include <optional>

#include "common/json_log.h"

namespace smartshop::recommender {

CatalogRefresher::CatalogRefresher(TrackingReader* reader,
                                   absl::Duration interval,
                                   absl::Duration load_timeout)
    : reader_(reader), interval_(interval), load_timeout_(load_timeout) {}

CatalogRefresher::~CatalogRefresher() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::Status CatalogRefresher::Load(absl::Time deadline) {
  absl::StatusOr<std::vector<smartshop::v1::Product>> products =
      reader_->ListAllProducts(deadline);
  if (!products.ok()) return products.status();
  auto snapshot = std::make_shared<const CatalogSnapshot>(
      std::move(*products), absl::Now(), LoadRules(deadline));
  absl::MutexLock lock(&mu_);
  current_ = std::move(snapshot);
  return absl::OkStatus();
}

std::vector<smartshop::v1::MerchandisingRule> CatalogRefresher::LoadRules(
    absl::Time deadline) {
  absl::StatusOr<std::vector<smartshop::v1::MerchandisingRule>> rules =
      reader_->ListMerchandisingRules(deadline);
  if (rules.ok()) return *std::move(rules);
  // The products are worth more than the rules' freshness: the previous
  // rules stay (none before the first load) and the products load.
  std::shared_ptr<const CatalogSnapshot> previous = Current();
  std::vector<smartshop::v1::MerchandisingRule> kept =
      previous != nullptr ? previous->merchandising_rules()
                          : std::vector<smartshop::v1::MerchandisingRule>();
  Log(LogLevel::kWarning, "merchandising_rules_load_failed",
      {{"error", rules.status().ToString()},
       {"rules_kept", static_cast<int64_t>(kept.size())}});
  return kept;
}

std::shared_ptr<const CatalogSnapshot> CatalogRefresher::CurrentOrLoad(
    absl::Time deadline) {
  {
    absl::MutexLock lock(&mu_);
    if (current_ != nullptr) return current_;
    if (loading_) {
      auto settled = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return current_ != nullptr || !loading_;
      };
      mu_.AwaitWithDeadline(absl::Condition(&settled), deadline);
      return current_;
    }
    loading_ = true;
  }
  Load(std::min(deadline, absl::Now() + load_timeout_)).IgnoreError();
  absl::MutexLock lock(&mu_);
  loading_ = false;
  return current_;
}

void CatalogRefresher::Start() {
  thread_ = std::thread([this] { Loop(); });
}

std::shared_ptr<const CatalogSnapshot> CatalogRefresher::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void CatalogRefresher::Loop() {
  // Logged on every change, and on the first outcome: a recommender that
  // never loads a catalog (tracking refuses its token, say) must say why.
  std::optional<bool> healthy;
  do {
    absl::Status status = Refresh();
    if (status.ok() != healthy) {
      healthy = status.ok();
      auto snapshot = Current();
      Log(*healthy ? LogLevel::kInfo : LogLevel::kWarning,
          *healthy ? "catalog_loaded" : "catalog_refresh_failed",
          {{"products", static_cast<int64_t>(snapshot ? snapshot->size() : 0)},
           {"error", status.ok() ? "" : status.ToString()}});
    }
  } while (!stop_.WaitForNotificationWithTimeout(
      Current() == nullptr ? absl::Seconds(1) : interval_));
}

}  // namespace smartshop::recommender
