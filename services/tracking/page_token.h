// Opaque page tokens for the listing RPCs: a cursor (keyset position), so
// that paging stays correct while new rows arrive.
#ifndef SMARTSHOP_SERVICES_TRACKING_PAGE_TOKEN_H_
#define SMARTSHOP_SERVICES_TRACKING_PAGE_TOKEN_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/tracking/catalog_store.h"
#include "services/tracking/interaction_store.h"

namespace smartshop::tracking {

std::string EncodeInteractionToken(const InteractionCursor& cursor);
// INVALID_ARGUMENT "page_token: ..." for anything EncodeInteractionToken
// did not make.
absl::StatusOr<InteractionCursor> DecodeInteractionToken(
    absl::string_view token);

// The token remembers the listing's order and active_only, so that a token
// used with other settings is refused instead of skipping products.
std::string EncodeProductToken(const ProductQuery& query,
                               const ProductCursor& cursor);
absl::StatusOr<ProductCursor> DecodeProductToken(absl::string_view token,
                                                 const ProductQuery& query);

}  // namespace smartshop::tracking

#endif  // SMARTSHOP_SERVICES_TRACKING_PAGE_TOKEN_H_
