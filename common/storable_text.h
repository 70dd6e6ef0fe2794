// Whether text from outside can be stored and sent on as it is.
#ifndef SMARTSHOP_COMMON_STORABLE_TEXT_H_
#define SMARTSHOP_COMMON_STORABLE_TEXT_H_

#include "absl/strings/string_view.h"

namespace smartshop {

// Whether Postgres text can hold `s`: valid UTF-8 without NUL (gRPC
// enforces UTF-8 for proto3 strings, in-process callers do not).
bool IsStorableText(absl::string_view s);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_STORABLE_TEXT_H_
