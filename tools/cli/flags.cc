#include "tools/cli/flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tracking, "127.0.0.1:50051",
          "host:port of the tracking service (env SMARTSHOP_TRACKING)");
ABSL_FLAG(std::string, recommender, "127.0.0.1:50052",
          "host:port of the recommender service (env SMARTSHOP_RECOMMENDER)");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10),
          "deadline of each call, e.g. 500ms, 10s, 1m");

ABSL_FLAG(std::string, user_id, "", "the logged-in user; empty = anonymous");
ABSL_FLAG(std::string, session_key, "", "the visitor's session key");

ABSL_FLAG(std::string, event_json, "",
          "the whole event as proto JSON of smartshop.v1.Interaction, e.g. "
          "'{\"userId\":\"42\",\"type\":\"view_product\",\"productId\":7}'; "
          "instead of the field flags");
ABSL_FLAG(std::string, type, "",
          "what happened: view_category, view_product, add_to_cart, "
          "update_cart, remove_from_cart, checkout_started, order_placed, "
          "search or review_submitted (required)");
ABSL_FLAG(std::string, event_id, "",
          "UUID that makes retries idempotent; empty = the server picks one");
ABSL_FLAG(std::string, timestamp, "",
          "when it happened, RFC 3339 (2024-05-01T12:00:00Z); empty = now");
ABSL_FLAG(int64_t, product_id, 0, "the product concerned; 0 = none");
ABSL_FLAG(int64_t, category_id, 0, "the category concerned; 0 = none");
ABSL_FLAG(int64_t, order_id, 0, "the order concerned; 0 = none");
ABSL_FLAG(int32_t, quantity, 0, "item quantity; 0 = not given");
ABSL_FLAG(std::string, search_query, "", "the text searched for");
ABSL_FLAG(std::string, page_url, "", "the page it happened on");
ABSL_FLAG(std::string, referrer_url, "", "the previous page");
ABSL_FLAG(std::string, ip_address, "", "the shopper's IPv4 or IPv6 address");
ABSL_FLAG(std::string, user_agent, "", "the browser's User-Agent");
ABSL_FLAG(std::string, extra_data, "",
          "anything else, as one JSON object, e.g. '{\"ab_test\":\"b\"}'");

ABSL_FLAG(std::string, catalog, "",
          "catalog file: CSV (.csv) or JSON lines of smartshop.v1.Product "
          "(.jsonl); - = stdin (then give --format)");
ABSL_FLAG(std::string, events, "",
          "events file: JSON lines of smartshop.v1.Interaction (.jsonl) or "
          "CSV (.csv) with Interaction field names as header; - = stdin "
          "(then give --format)");
ABSL_FLAG(std::string, format, "",
          "csv or jsonl: the format of a file whose name does not end in "
          ".csv, .jsonl, .ndjson or .json, such as - (stdin)");
ABSL_FLAG(bool, dry_run, false,
          "read and check the files and print the summary; send nothing");
ABSL_FLAG(bool, stable_ids, true,
          "give events without an event_id one derived from their content "
          "(UUID v5), so that importing the same file again stores nothing "
          "new; false = the server picks random ids");
ABSL_FLAG(int, batch_size, 500,
          "categories or products per upsert call, events per stream "
          "message; 1 to 1000 (at most the service's --max_batch_size)");
ABSL_FLAG(absl::Duration, chunk_timeout, absl::Seconds(60),
          "deadline of each upsert call and of each StreamTrack call of up "
          "to 20000 events");

// import-retail and import-movielens name the file or directory in --csv
// in their own words (commands.cc).
ABSL_FLAG(std::string, csv, "", "the dataset's CSV file or directory");
ABSL_FLAG(int64_t, row_limit, 0, "data rows to read at most; 0 = all");
ABSL_FLAG(std::string, ratings, "", "ratings.csv (with --movies, not --csv)");
ABSL_FLAG(std::string, movies, "", "movies.csv (with --ratings, not --csv)");

ABSL_FLAG(int, limit, 0, "how many items, 1 to 8; 0 = 8");
ABSL_FLAG(std::vector<std::string>, exclude, {},
          "product ids never to recommend, comma-separated (at most 100)");
ABSL_FLAG(bool, json, false, "print the reply as JSON instead of a table");
ABSL_FLAG(std::string, placement, "home",
          "the page: home, product (with --product_id), cart (with --cart), "
          "recently-viewed (with --user_id or --session_key) or trending");
ABSL_FLAG(std::vector<std::string>, cart, {},
          "the cart's product ids, comma-separated (1 to 100)");
ABSL_FLAG(bool, exclude_purchased, false,
          "recently-viewed: leave out what was bought after it was viewed");
ABSL_FLAG(std::string, trending_window, "day",
          "trending: hour, day or week, against the next longer baseline");

ABSL_FLAG(bool, anonymous, false,
          "drop the answer shared by all anonymous visitors");
ABSL_FLAG(bool, all, false, "drop every cached answer");

ABSL_FLAG(std::string, service, "",
          "check only this one: tracking or recommender; empty = both");
ABSL_FLAG(std::string, file, "",
          "an UpsertMerchandisingRules request in proto JSON: "
          "{\"rules\": [...]}");
ABSL_FLAG(std::vector<std::string>, ids, {},
          "comma-separated merchandising rule ids");

ABSL_FLAG(std::string, name, "", "the experiment's name (required)");
ABSL_FLAG(std::string, since, "",
          "served from this time, RFC 3339; empty = --until less 24 h");
ABSL_FLAG(std::string, until, "",
          "served before this time, RFC 3339; empty = now (experiments: "
          "now or the stop)");
ABSL_FLAG(std::string, group_by, "strategy",
          "strategy, placement, position, variant (with --experiment) or "
          "day");
ABSL_FLAG(std::string, experiment, "",
          "only this experiment's answers (required with --group_by=variant)");
ABSL_FLAG(int, window_hours, 0,
          "a cart or order counts when it follows the click within this "
          "many hours; 0 = 24, at most 720");
