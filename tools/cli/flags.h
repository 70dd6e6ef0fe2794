// The flags of every smartshop command. Abseil flags are process-wide, so
// they are all defined here once; each command names the ones it accepts
// (commands.cc), and command_line.h parses only those.
#ifndef SMARTSHOP_TOOLS_CLI_FLAGS_H_
#define SMARTSHOP_TOOLS_CLI_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/time/time.h"

// Where and how long.
ABSL_DECLARE_FLAG(std::string, tracking);
ABSL_DECLARE_FLAG(std::string, recommender);
ABSL_DECLARE_FLAG(absl::Duration, timeout);

// Who; used by track, inspect, recommend and invalidate.
ABSL_DECLARE_FLAG(std::string, user_id);
ABSL_DECLARE_FLAG(std::string, session_key);

// track: the event's fields, or all of it as JSON.
ABSL_DECLARE_FLAG(std::string, event_json);
ABSL_DECLARE_FLAG(std::string, type);
ABSL_DECLARE_FLAG(std::string, event_id);
ABSL_DECLARE_FLAG(std::string, timestamp);
ABSL_DECLARE_FLAG(int64_t, product_id);
ABSL_DECLARE_FLAG(int64_t, category_id);
ABSL_DECLARE_FLAG(int64_t, order_id);
ABSL_DECLARE_FLAG(int32_t, quantity);
ABSL_DECLARE_FLAG(std::string, search_query);
ABSL_DECLARE_FLAG(std::string, page_url);
ABSL_DECLARE_FLAG(std::string, referrer_url);
ABSL_DECLARE_FLAG(std::string, ip_address);
ABSL_DECLARE_FLAG(std::string, user_agent);
ABSL_DECLARE_FLAG(std::string, extra_data);

// import.
ABSL_DECLARE_FLAG(std::string, catalog);
ABSL_DECLARE_FLAG(std::string, events);
ABSL_DECLARE_FLAG(std::string, format);
ABSL_DECLARE_FLAG(bool, dry_run);
ABSL_DECLARE_FLAG(bool, stable_ids);
ABSL_DECLARE_FLAG(int, batch_size);
ABSL_DECLARE_FLAG(absl::Duration, chunk_timeout);

// import-retail and import-movielens (besides dry_run, batch_size and
// chunk_timeout).
ABSL_DECLARE_FLAG(std::string, csv);
ABSL_DECLARE_FLAG(std::string, ratings);
ABSL_DECLARE_FLAG(std::string, movies);
ABSL_DECLARE_FLAG(int64_t, row_limit);

// recommend.
ABSL_DECLARE_FLAG(int, limit);
ABSL_DECLARE_FLAG(std::vector<std::string>, exclude);
ABSL_DECLARE_FLAG(bool, json);
ABSL_DECLARE_FLAG(std::string, placement);
ABSL_DECLARE_FLAG(std::vector<std::string>, cart);
ABSL_DECLARE_FLAG(bool, exclude_purchased);
ABSL_DECLARE_FLAG(std::string, trending_window);

// invalidate.
ABSL_DECLARE_FLAG(bool, anonymous);
ABSL_DECLARE_FLAG(bool, all);

// health.
ABSL_DECLARE_FLAG(std::string, service);

// rules upsert and rules delete.
ABSL_DECLARE_FLAG(std::string, file);
ABSL_DECLARE_FLAG(std::vector<std::string>, ids);

// experiments report and insights.
ABSL_DECLARE_FLAG(std::string, name);
ABSL_DECLARE_FLAG(std::string, since);
ABSL_DECLARE_FLAG(std::string, until);
ABSL_DECLARE_FLAG(std::string, group_by);
ABSL_DECLARE_FLAG(std::string, experiment);
ABSL_DECLARE_FLAG(int, window_hours);

#endif  // SMARTSHOP_TOOLS_CLI_FLAGS_H_
