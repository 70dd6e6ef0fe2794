// The dashboard's page, compiled in (cmake/EmbedFiles.cmake).
#ifndef SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_DASHBOARD_ASSETS_H_
#define SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_DASHBOARD_ASSETS_H_

#include <vector>

#include "common/embedded_file.h"

namespace smartshop::recommender {

// dashboard.html.
const std::vector<EmbeddedFile>& DashboardAssets();

}  // namespace smartshop::recommender

#endif  // SMARTSHOP_SERVICES_RECOMMENDER_DASHBOARD_DASHBOARD_ASSETS_H_
