#include "services/tracking/subscription.h"

#include <algorithm>
#include <future>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_util.h"
#include "services/tracking/interaction_validator.h"

namespace smartshop::tracking {

using smartshop::v1::SubscribeRequest;
using smartshop::v1::SubscribeResponse;

namespace {

// Whatever the store's error (pool exhausted, statement timeout, database
// away), the subscriber should pause and resume: never a DEADLINE_EXCEEDED
// that looks like the planned end of its call.
grpc::Status StoreFailure(const absl::Status& status) {
  return ToGrpcStatus(absl::UnavailableError(
      absl::StrCat("event log unavailable: ", status.message())));
}

// One read of the log, with the commit generation seen before it.
struct Page {
  uint64_t generation = 0;
  absl::StatusOr<std::vector<LogEntry>> events;
};

}  // namespace

std::string EncodePosition(const LogPosition& position) {
  if (position == LogPosition{}) return "";
  return absl::StrCat(position.txid, ".", position.sequence);
}

absl::StatusOr<LogPosition> DecodePosition(absl::string_view token) {
  if (token.empty()) return LogPosition{};
  std::pair<absl::string_view, absl::string_view> parts =
      absl::StrSplit(token, absl::MaxSplits('.', 1));
  LogPosition position;
  if (!absl::SimpleAtoi(parts.first, &position.txid) ||
      !absl::SimpleAtoi(parts.second, &position.sequence) ||
      position.txid < 0 || position.sequence < 0) {
    return absl::InvalidArgumentError(
        "after_position: not a position this service sent");
  }
  return position;
}

absl::Status ValidateSubscribeRequest(const SubscribeRequest& request) {
  if (absl::Status valid = DecodePosition(request.after_position()).status();
      !valid.ok()) {
    return valid;
  }
  for (int type : request.types()) {
    if (TypeName(static_cast<smartshop::v1::InteractionType>(type)).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("types: unknown interaction type ", type));
    }
  }
  if (request.has_since() && !IsValidTimestamp(request.since())) {
    return absl::InvalidArgumentError("since: out of the valid range");
  }
  return absl::OkStatus();
}

grpc::Status ServeSubscription(
    const SubscribeRequest& request, InteractionStore& store,
    const CommitSignal& signal, const std::atomic<bool>& stopping,
    const SubscriptionOptions& options, grpc::ServerContext& context,
    grpc::ServerWriterInterface<SubscribeResponse>& writer) {
  const absl::flat_hash_set<int> types(request.types().begin(),
                                       request.types().end());
  // Compared as protobuf seconds/nanos: no conversion per event.
  const bool has_since = request.has_since();
  const google::protobuf::Timestamp since = request.since();
  auto wanted = [&](const smartshop::v1::Interaction& event) {
    if (!types.empty() && !types.contains(event.type())) return false;
    if (!has_since) return true;
    const google::protobuf::Timestamp& at = event.timestamp();
    return at.seconds() != since.seconds() ? at.seconds() > since.seconds()
                                           : at.nanos() >= since.nanos();
  };
  LogPosition position = *DecodePosition(request.after_position());
  // Read the generation before each read: a commit that lands during it
  // then still ends the wait that follows.
  auto read = [&store, &signal, &options](LogPosition after) {
    Page page;
    page.generation = signal.generation();
    page.events = store.ListAfter(after, options.page_size,
                                  absl::Now() + options.read_timeout);
    return page;
  };
  Page page = read(position);
  bool caught_up = false;
  while (!context.IsCancelled()) {
    if (stopping.load()) {
      return ToGrpcStatus(
          absl::UnavailableError("server shutting down: resume elsewhere"));
    }
    if (!page.events.ok()) return StoreFailure(page.events.status());
    std::vector<LogEntry>& events = *page.events;
    const bool backlog_done =
        static_cast<int>(events.size()) < options.page_size;
    // A full page means more backlog: read the next one while this one is
    // sent. (The future's destructor waits for it, bounded by the read
    // timeout, if the caller leaves first.)
    std::future<Page> next;
    if (!backlog_done) {
      next = std::async(std::launch::async, read, events.back().position);
    }
    if (!events.empty() || (backlog_done && !caught_up)) {
      SubscribeResponse response;
      size_t bytes = 0;
      for (LogEntry& entry : events) {
        if (wanted(entry.event)) {
          const size_t size = entry.event.ByteSizeLong();
          if (bytes > 0 &&
              (bytes + size > options.max_message_bytes ||
               response.interactions_size() >= options.max_message_events)) {
            response.set_position(EncodePosition(position));
            if (!writer.Write(response)) return grpc::Status::OK;
            response.Clear();
            bytes = 0;
          }
          bytes += size;
          *response.add_interactions() = std::move(entry.event);
        }
        position = entry.position;
      }
      response.set_position(EncodePosition(position));
      if (backlog_done && !caught_up) {
        response.set_caught_up(true);
        caught_up = true;
      }
      if (!writer.Write(response)) return grpc::Status::OK;  // caller gone
    }
    if (next.valid()) {
      page = next.get();
      continue;
    }
    signal.WaitForChange(page.generation, absl::Now() + options.poll_interval);
    page = read(position);
  }
  return grpc::Status::OK;
}

}  // namespace smartshop::tracking
