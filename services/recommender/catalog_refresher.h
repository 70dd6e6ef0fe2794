// Keeps a CatalogSnapshot fresh: loads the whole catalog (products and
// merchandising rules) from the tracking service at start-up and every
// `interval` after, so that the recommender can answer (top sellers) while
// the tracking service is down.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_CATALOG_REFRESHER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_CATALOG_REFRESHER_H_

#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "services/recommender/catalog_snapshot.h"
#include "services/recommender/tracking_reader.h"

namespace smartshop::recommender {

class CatalogRefresher {
 public:
  // `reader` is not owned and must outlive this. Nothing runs until Start()
  // or Refresh().
  CatalogRefresher(TrackingReader* reader, absl::Duration interval,
                   absl::Duration load_timeout);
  ~CatalogRefresher();  // stops the background thread

  // Loads the catalog now; on error keeps the previous snapshot. A failed
  // rules load fails nothing: the products load with the previous rules.
  absl::Status Refresh() { return Load(absl::Now() + load_timeout_); }

  // Refreshes every `interval` on a thread of its own (retrying sooner,
  // every second, until the first load succeeds).
  void Start();

  // The latest snapshot; null until a load has succeeded. Thread-safe.
  std::shared_ptr<const CatalogSnapshot> Current() const;

  // For requests before the first load: the latest snapshot, else one
  // load, bounded by `deadline`, that concurrent callers share (one runs
  // it, the others wait for it, each until its own deadline). Null when
  // none has loaded by then.
  std::shared_ptr<const CatalogSnapshot> CurrentOrLoad(absl::Time deadline);

 private:
  void Loop();
  absl::Status Load(absl::Time deadline);
  std::vector<smartshop::v1::MerchandisingRule> LoadRules(absl::Time deadline);

  TrackingReader* const reader_;
  const absl::Duration interval_;
  const absl::Duration load_timeout_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const CatalogSnapshot> current_ ABSL_GUARDED_BY(mu_);
  bool loading_ ABSL_GUARDED_BY(mu_) = false;  // a CurrentOrLoad load
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_CATALOG_REFRESHER_H_
