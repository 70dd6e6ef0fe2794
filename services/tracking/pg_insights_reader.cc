#include "services/tracking/pg_insights_reader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "common/storage_error.h"
#include "smartshop/v1/placement.pb.h"

namespace smartshop::tracking {
namespace {

using smartshop::v1::GetInsightsResponse;
using smartshop::v1::InsightsGrouping;
using smartshop::v1::InsightsRow;

// The rules of docs/attribution.md, as one statement. $1, $2: the range of
// serving; $3: the experiment ('' = any); $4: the placement's enum name
// ('' = any); $5: the conversion window. {KEY} is the group of an answer,
// or NULL for the POSITION grouping, where each fact takes its position
// instead (coalesce(s.key, position)).
//
// s: the served answers of the range (index on served_at per month).
// tagged: the interactions carrying the id of an answer in s, of one of
//   its products, within the window after serving: one probe of
//   interactions_recommendation per answer (OFFSET 0 keeps the lateral a
//   per-answer probe rather than a join over the whole index). Its views
//   are the clicks; its carts and orders are touched by the id they carry
//   (rule a).
// conversion_events: every cart and order that can follow a click on an
//   answer of s: [since, until + 2 window), one range of the
//   (interaction_type, occurred_at) index.
// candidates: those of a clicking shopper's product within the window after
//   a click, that rule (a) does not claim for any answer (in s or not). Two
//   hash joins with the clicks (by user, or by session for anonymous
//   events): probing the shopper's events per click cost 4 times as much.
// last_click: each candidate's latest click of that product by that
//   shopper on any served answer (rule b), through the shopper's
//   (user_id|session_key, occurred_at) index; kept when the answer is in s.
//   Clicks on answers outside the range win too, so that a conversion is
//   never counted in two ranges. "product_id + 0" keeps the planner off the
//   product's index: a shopper has a few events a day, a popular product
//   thousands.
// candidates and last_click are MATERIALIZED: computed once. On tables
//   autovacuum has not analysed yet (the first minute of a new month's
//   partitions) the planner took them for a row or two and re-ran them
//   inside a nested loop per answer: 12 s instead of 0.05 s on 900
//   answers; 0.45 s so.
// answer_rows: one per answer (per answer and position for POSITION),
//   with its group; answers, shoppers, products_served, impressed (one
//   probe of recommendation_impressions_answer per answer), clicked and
//   converted: the counts per group, joined on the group. Distinct counts go
//   through a DISTINCT (or a GROUP BY group, shopper) first, which hashes
//   instead of sorting every group's rows.
// The answer has three sections: 0 the groups, 1 fallbacks by code, 2 the
// unknown ids (the range's events with an id that is not an answer of s,
// each then probed for in served_recommendations).
constexpr char kInsightsSql[] = R"sql(
WITH s AS (
  SELECT recommendation_id AS rid, served_at, product_ids,
    cardinality(product_ids) AS items,
    coalesce('u:' || NULLIF(user_id, ''), 's:' || NULLIF(session_key, ''))
      AS shopper,
    model_calls, model_cost_usd, latency_micros, cache_hit,
    NULLIF(fallback_code, '') AS fallback_code,
    {KEY} AS key
  FROM served_recommendations
  WHERE served_at >= $1::timestamptz AND served_at < $2::timestamptz
    AND ($3::text = '' OR experiment = $3::text)
    AND ($4::text = '' OR placement = $4::text)),
tagged AS (
  SELECT s.rid, s.served_at, i.id, i.interaction_type, i.product_id,
    i.user_id, i.session_key, i.occurred_at, i.quantity,
    CASE WHEN s.product_ids[i.recommendation_position] = i.product_id
      THEN i.recommendation_position
      ELSE array_position(s.product_ids, i.product_id) END AS position
  FROM s CROSS JOIN LATERAL (
    SELECT * FROM interactions i
    WHERE i.recommendation_id = s.rid
      AND i.occurred_at >= s.served_at
      AND i.occurred_at < s.served_at + $5::interval
      AND i.interaction_type IN ('view_product', 'add_to_cart', 'order_placed')
      AND i.product_id = ANY (s.product_ids)
    OFFSET 0) i),
clicks AS (
  SELECT DISTINCT ON (rid, served_at, product_id)
    rid, served_at, product_id, position
  FROM tagged WHERE interaction_type = 'view_product'
  ORDER BY rid, served_at, product_id, occurred_at, id),
conversion_events AS (
  SELECT e.id, e.occurred_at, e.interaction_type, e.product_id, e.user_id,
    e.session_key, e.quantity, e.recommendation_id
  FROM interactions e
  WHERE e.interaction_type IN ('add_to_cart', 'order_placed')
    AND e.occurred_at >= $1::timestamptz
    AND e.occurred_at < $2::timestamptz + 2 * $5::interval),
candidates AS MATERIALIZED (
  SELECT DISTINCT e.id, e.occurred_at, e.interaction_type, e.product_id,
    e.user_id, e.session_key, e.quantity
  FROM (
    SELECT e.* FROM tagged v JOIN conversion_events e
      ON e.user_id = v.user_id AND e.product_id = v.product_id
    WHERE v.interaction_type = 'view_product'
      AND e.occurred_at >= v.occurred_at
      AND e.occurred_at < v.occurred_at + $5::interval
    UNION ALL
    SELECT e.* FROM tagged v JOIN conversion_events e
      ON e.session_key = v.session_key AND e.product_id = v.product_id
    WHERE v.interaction_type = 'view_product' AND e.user_id IS NULL
      AND e.occurred_at >= v.occurred_at
      AND e.occurred_at < v.occurred_at + $5::interval) e
  WHERE NOT EXISTS (
      SELECT 1 FROM served_recommendations r
      WHERE r.recommendation_id = e.recommendation_id
        AND r.served_at <= e.occurred_at
        AND r.served_at > e.occurred_at - $5::interval
        AND e.product_id = ANY (r.product_ids))),
last_click AS MATERIALIZED (
  SELECT c.*, t.rid, t.served_at, t.position
  FROM candidates c CROSS JOIN LATERAL (
    SELECT * FROM (
      SELECT r.recommendation_id AS rid, r.served_at, v.occurred_at, v.id,
        CASE WHEN r.product_ids[v.recommendation_position] = v.product_id
          THEN v.recommendation_position
          ELSE array_position(r.product_ids, v.product_id) END AS position
      FROM interactions v JOIN served_recommendations r
        ON r.recommendation_id = v.recommendation_id
       AND r.served_at <= v.occurred_at
       AND r.served_at > v.occurred_at - $5::interval
       AND v.product_id = ANY (r.product_ids)
      WHERE v.user_id = c.user_id
        AND v.interaction_type = 'view_product'
        AND v.product_id + 0 = c.product_id
        AND v.occurred_at <= c.occurred_at
        AND v.occurred_at > c.occurred_at - $5::interval
      UNION ALL
      SELECT r.recommendation_id, r.served_at, v.occurred_at, v.id,
        CASE WHEN r.product_ids[v.recommendation_position] = v.product_id
          THEN v.recommendation_position
          ELSE array_position(r.product_ids, v.product_id) END
      FROM interactions v JOIN served_recommendations r
        ON r.recommendation_id = v.recommendation_id
       AND r.served_at <= v.occurred_at
       AND r.served_at > v.occurred_at - $5::interval
       AND v.product_id = ANY (r.product_ids)
      WHERE c.user_id IS NULL AND v.session_key = c.session_key
        AND v.interaction_type = 'view_product'
        AND v.product_id + 0 = c.product_id
        AND v.occurred_at <= c.occurred_at
        AND v.occurred_at > c.occurred_at - $5::interval) touch
    ORDER BY occurred_at DESC, id DESC LIMIT 1) t),
conversions AS (
  SELECT rid, served_at, position, interaction_type, product_id, quantity
  FROM tagged WHERE interaction_type <> 'view_product'
  UNION ALL
  SELECT rid, served_at, position, interaction_type, product_id, quantity
  FROM last_click),
answer_rows AS (
  SELECT coalesce(s.key, n::text) AS gkey,
    CASE WHEN n IS NULL THEN s.items ELSE 1 END AS items, s.shopper,
    s.model_calls, s.model_cost_usd, s.latency_micros, s.cache_hit,
    s.fallback_code
  FROM s LEFT JOIN LATERAL generate_subscripts(
      CASE WHEN s.key IS NULL THEN s.product_ids END, 1) n ON true),
answers AS (
  SELECT gkey, count(*) AS served_answers, sum(items) AS served_items,
    sum(model_calls) AS model_calls, sum(model_cost_usd) AS model_cost_usd,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_micros) / 1000.0
      AS latency_p50_ms,
    percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_micros) / 1000.0
      AS latency_p99_ms,
    count(*) FILTER (WHERE cache_hit) AS cache_hits,
    count(*) FILTER (WHERE fallback_code IS NOT NULL) AS fallbacks
  FROM answer_rows WHERE gkey IS NOT NULL GROUP BY gkey),
shoppers AS (
  SELECT gkey, count(*) AS shoppers
  FROM (SELECT DISTINCT gkey, shopper FROM answer_rows
        WHERE shopper IS NOT NULL) d
  GROUP BY gkey),
products_served AS (
  SELECT gkey, count(*) AS distinct_products
  FROM (SELECT DISTINCT coalesce(s.key, n::text) AS gkey, s.product_ids[n]
        FROM s CROSS JOIN LATERAL generate_subscripts(s.product_ids, 1) n) d
  GROUP BY gkey),
impressed AS (
  SELECT coalesce(s.key, n::text) AS gkey, count(*) AS impressed_items
  FROM s CROSS JOIN LATERAL (
      SELECT positions FROM recommendation_impressions m
      WHERE m.recommendation_id = s.rid OFFSET 0) m
    CROSS JOIN LATERAL generate_series(1, s.items) n
  WHERE m.positions IS NULL OR n = ANY (m.positions)
  GROUP BY 1),
clicked AS (
  SELECT gkey, sum(clicks) AS clicks, count(shopper) AS shoppers_clicked
  FROM (SELECT coalesce(s.key, c.position::text) AS gkey, s.shopper,
          count(*) AS clicks
        FROM clicks c JOIN s USING (rid, served_at) GROUP BY 1, 2) d
  GROUP BY gkey),
converted AS (
  SELECT gkey, sum(carts) AS add_to_carts, sum(orders) AS orders,
    sum(revenue) AS revenue_cents, count(shopper) AS shoppers_converted
  FROM (SELECT coalesce(s.key, v.position::text) AS gkey, s.shopper,
          count(*) FILTER (WHERE v.interaction_type = 'add_to_cart') AS carts,
          count(*) FILTER (WHERE v.interaction_type = 'order_placed')
            AS orders,
          sum(CASE WHEN v.interaction_type = 'order_placed'
            THEN coalesce(p.price_cents, 0) * greatest(v.quantity, 1)
            ELSE 0 END) AS revenue
        FROM conversions v JOIN s USING (rid, served_at)
          LEFT JOIN products p ON p.id = v.product_id
        GROUP BY 1, 2) d
  GROUP BY gkey)
SELECT 0 AS section, gkey, served_answers, served_items,
  coalesce(impressed_items, 0), coalesce(clicks, 0)::bigint,
  coalesce(add_to_carts, 0)::bigint, coalesce(orders, 0)::bigint,
  coalesce(revenue_cents, 0)::bigint, coalesce(shoppers, 0),
  coalesce(shoppers_clicked, 0), coalesce(shoppers_converted, 0),
  model_calls, model_cost_usd, latency_p50_ms, latency_p99_ms, cache_hits,
  fallbacks, coalesce(distinct_products, 0)
FROM answers LEFT JOIN shoppers USING (gkey)
  LEFT JOIN products_served USING (gkey) LEFT JOIN impressed USING (gkey)
  LEFT JOIN clicked USING (gkey) LEFT JOIN converted USING (gkey)
UNION ALL
SELECT 1, fallback_code, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM s WHERE fallback_code IS NOT NULL GROUP BY fallback_code
UNION ALL
SELECT 2, NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (
  SELECT i.recommendation_id FROM interactions i
  WHERE i.interaction_type IN ('view_product', 'add_to_cart', 'order_placed')
    AND i.occurred_at >= $1::timestamptz AND i.occurred_at < $2::timestamptz
    AND i.recommendation_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM s WHERE s.rid = i.recommendation_id)
  OFFSET 0) i
WHERE NOT EXISTS (
  SELECT 1 FROM served_recommendations r
  WHERE r.recommendation_id = i.recommendation_id OFFSET 0))sql";

// The group of an answer, per grouping: the stored enum names, the
// variant, the UTC day. NULL: by position.
std::string KeyExpression(InsightsGrouping grouping) {
  switch (grouping) {
    case smartshop::v1::INSIGHTS_GROUPING_PLACEMENT:
      return "placement";
    case smartshop::v1::INSIGHTS_GROUPING_POSITION:
      return "NULL::text";
    case smartshop::v1::INSIGHTS_GROUPING_VARIANT:
      return "coalesce(variant, '')";
    case smartshop::v1::INSIGHTS_GROUPING_DAY:
      return "to_char(served_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
    default:
      return "strategy";
  }
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime("%E4Y-%m-%dT%H:%M:%E6S+00", t, absl::UTCTimeZone());
}

// Positions in numeric order ("2" before "10"), other keys as text.
bool KeyLess(InsightsGrouping grouping, const std::string& a,
             const std::string& b) {
  int x = 0, y = 0;
  if (grouping == smartshop::v1::INSIGHTS_GROUPING_POSITION &&
      absl::SimpleAtoi(a, &x) && absl::SimpleAtoi(b, &y)) {
    return x < y;
  }
  return a < b;
}

void FillRow(const pqxx::row& r, InsightsRow* row) {
  row->set_key(r[1].as<std::string>());
  row->set_served_answers(r[2].as<int64_t>());
  row->set_served_items(r[3].as<int64_t>());
  row->set_impressed_items(r[4].as<int64_t>());
  row->set_clicks(r[5].as<int64_t>());
  row->set_add_to_carts(r[6].as<int64_t>());
  row->set_orders(r[7].as<int64_t>());
  row->set_revenue_cents(r[8].as<int64_t>());
  row->set_shoppers(r[9].as<int64_t>());
  row->set_shoppers_clicked(r[10].as<int64_t>());
  row->set_shoppers_converted(r[11].as<int64_t>());
  row->set_model_calls(r[12].as<int64_t>());
  row->set_model_cost_usd(r[13].as<double>());
  row->set_latency_p50_ms(r[14].as<double>());
  row->set_latency_p99_ms(r[15].as<double>());
  row->set_cache_hits(r[16].as<int64_t>());
  row->set_fallbacks(r[17].as<int64_t>());
  row->set_distinct_products(r[18].as<int64_t>());
}

}  // namespace

PgStatement PgInsightsReader::Statement(const InsightsQuery& query) {
  PgStatement st;
  const InsightsGrouping grouping = query.group_by;
  st.name = absl::StrCat("insights_", static_cast<int>(grouping));
  st.sql =
      absl::StrReplaceAll(kInsightsSql, {{"{KEY}", KeyExpression(grouping)}});
  st.params = {
      FormatUtc(query.since), FormatUtc(query.until), query.experiment,
      query.placement ? smartshop::v1::Placement_Name(*query.placement) : "",
      absl::StrCat(absl::ToInt64Seconds(query.conversion_window), " seconds")};
  return st;
}

// A custom plan each time: how many answers the range holds, and in which
// months, decides the plan. No JIT: the estimated cost of the many
// per-answer probes crosses jit_above_cost, and compiling the plan took
// 5.5 s of a 6 s read (300 000 answers, one day read). More memory for its
// sorts and hashes than the server's default (4 MB): a month's clicks
// spilled to disk. One statement runs at a time per connection, from an
// admin read.
const std::string& PgInsightsReader::SettingsSql() {
  static const std::string sql =
      "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off; "
      "SET LOCAL work_mem = '64MB'";
  return sql;
}

absl::StatusOr<GetInsightsResponse> PgInsightsReader::Read(
    const InsightsQuery& query, absl::Time deadline) {
  if (query.until <= query.since) {
    return absl::InvalidArgumentError("until: must be after since");
  }
  if (query.conversion_window < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "conversion_window: must be at least one second");
  }
  const PgStatement statement = Statement(query);
  GetInsightsResponse response;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    response.Clear();
    c.EnsurePreparedForExecute(statement.name, statement.sql, deadline);
    std::string arguments;
    for (const std::string& param : statement.params) {
      absl::StrAppend(&arguments, arguments.empty() ? "" : ", ",
                      c.conn().quote(param));
    }
    // One round trip: the timeout, the settings and the statement go in one
    // message, which Postgres runs as one transaction.
    pqxx::nontransaction txn(c.conn());
    const pqxx::result rows = txn.exec(
        absl::StrCat(StatementDeadlineSql(deadline), "; ", SettingsSql(),
                     "; EXECUTE ", statement.name, "(", arguments, ")"));
    for (const auto& r : rows) {
      switch (r[0].as<int>()) {
        case 0:
          FillRow(r, response.add_rows());
          break;
        case 1:
          (*response.mutable_fallbacks_by_code())[r[1].as<std::string>()] =
              r[2].as<int64_t>();
          break;
        default:
          response.set_unknown_recommendation_ids(r[2].as<int64_t>());
      }
    }
  });
  if (!status.ok()) return StorageErrorForCaller(status, "read_insights");
  std::sort(response.mutable_rows()->begin(), response.mutable_rows()->end(),
            [&](const InsightsRow& a, const InsightsRow& b) {
              return KeyLess(query.group_by, a.key(), b.key());
            });
  return response;
}

}  // namespace smartshop::tracking
