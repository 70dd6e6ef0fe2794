// What a caller is told when storage fails. The status code is kept (it says
// whether retrying can help); the database's own text (SQL states, table,
// column and constraint names, other rows' values) is replaced by a fixed
// phrase and only logged, so replies never show the schema or others' data.
#ifndef SMARTSHOP_COMMON_STORAGE_ERROR_H_
#define SMARTSHOP_COMMON_STORAGE_ERROR_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace smartshop {

// OK stays OK. Otherwise logs `detailed` with `operation` (a fixed name such
// as "insert_interactions", never data) and returns the same code with a
// message of the form "storage: unavailable".
absl::Status StorageErrorForCaller(const absl::Status& detailed,
                                   absl::string_view operation);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_STORAGE_ERROR_H_
