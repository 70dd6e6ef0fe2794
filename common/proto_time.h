// google.protobuf.Timestamp <-> absl::Time, the one conversion both
// services use: exact to the nanosecond both ways, for any value
// timestamp.proto allows (validation of ranges is the caller's business).
#ifndef SMARTSHOP_COMMON_PROTO_TIME_H_
#define SMARTSHOP_COMMON_PROTO_TIME_H_

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace smartshop {

absl::Time ToTime(const google::protobuf::Timestamp& ts);
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
google::protobuf::Timestamp ToTimestamp(absl::Time t);

}  // namespace smartshop

#endif  // SMARTSHOP_COMMON_PROTO_TIME_H_
