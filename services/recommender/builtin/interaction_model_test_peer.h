// For tests only: holds the builtin model's lock as a model that is
// learning does, to check that callers which must not wait do not.
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_TEST_PEER_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_TEST_PEER_H_

#include "absl/synchronization/mutex.h"
#include "services/recommender/builtin/interaction_model.h"

namespace smartshop::recommender {

class InteractionModelTestPeer {
 public:
  static absl::Mutex& Mutex(InteractionModel& model) { return model.mu_; }
};

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_BUILTIN_INTERACTION_MODEL_TEST_PEER_H_
