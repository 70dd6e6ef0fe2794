#include "common/method_scopes.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"

namespace smartshop {
namespace {

// Reads list, look up and follow; writes change or erase data.
const absl::flat_hash_map<std::string, Scope>& Table() {
  static const auto* const table = new absl::flat_hash_map<std::string, Scope>{
      {"smartshop.v1.TrackingService/Track", Scope::kWrite},
      {"smartshop.v1.TrackingService/TrackBatch", Scope::kWrite},
      {"smartshop.v1.TrackingService/StreamTrack", Scope::kWrite},
      {"smartshop.v1.TrackingService/ListInteractions", Scope::kRead},
      {"smartshop.v1.TrackingService/Subscribe", Scope::kRead},
      {"smartshop.v1.TrackingService/DeleteUserData", Scope::kWrite},
      // The recommender's served log has a scope of its own (record); the
      // shop's impressions are writes as Track is; the outcomes a read.
      {"smartshop.v1.InsightsService/RecordServed", Scope::kRecord},
      {"smartshop.v1.InsightsService/TrackImpressions", Scope::kWrite},
      {"smartshop.v1.InsightsService/GetInsights", Scope::kRead},
      {"smartshop.v1.CatalogService/UpsertCategories", Scope::kWrite},
      {"smartshop.v1.CatalogService/UpsertProducts", Scope::kWrite},
      {"smartshop.v1.CatalogService/ListProducts", Scope::kRead},
      {"smartshop.v1.CatalogService/GetProducts", Scope::kRead},
      {"smartshop.v1.CatalogService/UpsertMerchandisingRules", Scope::kWrite},
      {"smartshop.v1.CatalogService/ListMerchandisingRules", Scope::kRead},
      {"smartshop.v1.CatalogService/DeleteMerchandisingRules", Scope::kWrite},
      {"smartshop.v1.RecommenderService/GetRecommendations", Scope::kRead},
      {"smartshop.v1.RecommenderService/InvalidateRecommendations",
       Scope::kWrite},
      {"smartshop.v1.RecommenderService/DeleteUserData", Scope::kWrite},
      {"smartshop.v1.ExperimentService/ListExperiments", Scope::kRead},
      {"smartshop.v1.ExperimentService/GetExperimentReport", Scope::kRead},
  };
  return *table;
}

}  // namespace

std::optional<Scope> MethodScope(absl::string_view service,
                                 absl::string_view method) {
  auto it = Table().find(absl::StrCat(service, "/", method));
  if (it == Table().end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> ScopedMethods() {
  std::vector<std::string> methods;
  for (const auto& [method, scope] : Table()) methods.push_back(method);
  return methods;
}

}  // namespace smartshop
