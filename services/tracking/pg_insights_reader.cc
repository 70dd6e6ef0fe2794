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

// The rules of docs/attribution.md as SQL: the facts of each served answer
// (what was shown, clicked, carted, ordered, by position), computed from
// the log when read and, for settled answers, kept in served_outcomes.
//
// kAnswerFactsCtes: CTEs ending in live_facts, one row per answer served in
// [{FROM}, $2), of experiment $3 ('' = any) and placement $4 (the enum
// name, '' = any), attributed with the conversion window $5.
//
// s: the served answers (index on served_at per month).
// tagged: the interactions carrying the id of an answer in s, of one of
//   its products, within the window after serving: one probe of
//   interactions_recommendation per answer (OFFSET 0 keeps the lateral a
//   per-answer probe rather than a join over the whole index). Its views
//   are the clicks; its carts and orders are touched by the id they carry
//   (rule a).
// conversion_events: every cart and order that can follow a click on an
//   answer of s: [{FROM}, $2 + 2 window), one range of the
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
// live_facts: s with its facts as arrays of positions; impressions by one
//   probe of recommendation_impressions_answer per answer. Revenue at the
//   catalog's price when computed.
constexpr char kAnswerFactsCtes[] = R"sql(
s AS (
  SELECT recommendation_id AS rid, served_at, user_id,
    coalesce('u:' || NULLIF(user_id, ''), 's:' || NULLIF(session_key, ''))
      AS shopper,
    placement, strategy, experiment, variant, cache_hit, product_ids,
    cardinality(product_ids) AS items, model_calls, model_cost_usd,
    latency_micros, NULLIF(fallback_code, '') AS fallback_code
  FROM served_recommendations
  WHERE served_at >= {FROM}::timestamptz AND served_at < $2::timestamptz
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
    AND e.occurred_at >= {FROM}::timestamptz
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
live_facts AS (
  SELECT s.rid, s.served_at, s.user_id, s.shopper, s.placement, s.strategy,
    s.experiment, s.variant, s.cache_hit, s.product_ids, s.model_calls,
    s.model_cost_usd, s.latency_micros, s.fallback_code,
    coalesce(im.positions, '{}') AS impressed,
    coalesce(ck.positions, '{}') AS clicked,
    coalesce(cv.carted, '{}') AS carted,
    coalesce(cv.ordered, '{}') AS ordered,
    coalesce(cv.revenue, '{}') AS order_revenue_cents,
    coalesce(cv.revenue_cents, 0) AS revenue_cents
  FROM s
    LEFT JOIN (
      SELECT rid, served_at, array_agg(position ORDER BY position) AS positions
      FROM clicks GROUP BY rid, served_at) ck
      ON ck.rid = s.rid AND ck.served_at = s.served_at
    LEFT JOIN (
      SELECT v.rid, v.served_at,
        array_agg(v.position ORDER BY v.position)
          FILTER (WHERE v.interaction_type = 'add_to_cart') AS carted,
        array_agg(v.position ORDER BY v.position, v.revenue)
          FILTER (WHERE v.interaction_type = 'order_placed') AS ordered,
        array_agg(v.revenue ORDER BY v.position, v.revenue)
          FILTER (WHERE v.interaction_type = 'order_placed') AS revenue,
        sum(v.revenue) FILTER (WHERE v.interaction_type = 'order_placed')
          AS revenue_cents
      FROM (SELECT c.*,
              coalesce(p.price_cents, 0) * greatest(c.quantity, 1) AS revenue
            FROM conversions c LEFT JOIN products p ON p.id = c.product_id) v
      GROUP BY v.rid, v.served_at) cv
      ON cv.rid = s.rid AND cv.served_at = s.served_at
    CROSS JOIN LATERAL (
      SELECT array_agg(n ORDER BY n) AS positions
      FROM (SELECT positions FROM recommendation_impressions m
            WHERE m.recommendation_id = s.rid OFFSET 0) m
        CROSS JOIN LATERAL generate_series(1, s.items) n
      WHERE m.positions IS NULL OR n = ANY (m.positions)) im))sql";

// The columns of a fact row, as live_facts and served_outcomes both order
// them.
constexpr char kFactColumns[] =
    "rid, served_at, user_id, shopper, placement, strategy, experiment, "
    "variant, cache_hit, product_ids, model_calls, model_cost_usd, "
    "latency_micros, fallback_code, impressed, clicked, carted, ordered, "
    "order_revenue_cents, revenue_cents";

// Settles the answers served in [$1, $2): their facts into served_outcomes
// (again when an earlier settlement was undone: a late record or event).
constexpr char kSettleSql[] = R"sql(
INSERT INTO served_outcomes (recommendation_id, served_at, user_id, shopper,
  placement, strategy, experiment, variant, cache_hit, product_ids,
  model_calls, model_cost_usd, latency_micros, fallback_code, impressed,
  clicked, carted, ordered, order_revenue_cents, revenue_cents)
SELECT {COLUMNS} FROM live_facts
ON CONFLICT (recommendation_id, served_at) DO UPDATE SET
  user_id = EXCLUDED.user_id, shopper = EXCLUDED.shopper,
  placement = EXCLUDED.placement, strategy = EXCLUDED.strategy,
  experiment = EXCLUDED.experiment, variant = EXCLUDED.variant,
  cache_hit = EXCLUDED.cache_hit, product_ids = EXCLUDED.product_ids,
  model_calls = EXCLUDED.model_calls,
  model_cost_usd = EXCLUDED.model_cost_usd,
  latency_micros = EXCLUDED.latency_micros,
  fallback_code = EXCLUDED.fallback_code, impressed = EXCLUDED.impressed,
  clicked = EXCLUDED.clicked, carted = EXCLUDED.carted,
  ordered = EXCLUDED.ordered,
  order_revenue_cents = EXCLUDED.order_revenue_cents,
  revenue_cents = EXCLUDED.revenue_cents)sql";

// The insights of [$1, $2): answers before $6 from served_outcomes (settled),
// the rest attributed now (kAnswerFactsCtes from $6), then counted together,
// so that distinct counts and percentiles cover the whole range: the CTEs
// below, then the groups (kByKeySql or kByPositionSql), then kSectionsSql.
// {KEY} is the group of an answer, NULL for the POSITION grouping.
constexpr char kFactsSql[] = R"sql(,
settled AS (
  SELECT recommendation_id AS rid, served_at, user_id, shopper, placement,
    strategy, experiment, variant, cache_hit, product_ids, model_calls,
    model_cost_usd, latency_micros, fallback_code, impressed, clicked,
    carted, ordered, order_revenue_cents, revenue_cents
  FROM served_outcomes
  WHERE served_at >= $1::timestamptz AND served_at < $6::timestamptz
    AND ($3::text = '' OR experiment = $3::text)
    AND ($4::text = '' OR placement = $4::text)),
facts AS (
  SELECT f.*, cardinality(f.product_ids) AS items, {KEY} AS key
  FROM (SELECT {COLUMNS} FROM live_facts
        UNION ALL SELECT {COLUMNS} FROM settled) f),
)sql";

// The groups of answers: the sums in one hashed pass over the facts; the
// latency percentiles apart, sorting only (group, latency); distinct
// shoppers and products through a GROUP BY (hashed) first rather than
// count(DISTINCT), which sorts every group's rows.
constexpr char kByKeySql[] = R"sql(grouped AS (
  SELECT key AS gkey, count(*) AS served_answers, sum(items) AS served_items,
    sum(cardinality(impressed)) AS impressed_items,
    sum(cardinality(clicked)) AS clicks,
    sum(cardinality(carted)) AS add_to_carts,
    sum(cardinality(ordered)) AS orders, sum(revenue_cents) AS revenue_cents,
    sum(model_calls) AS model_calls, sum(model_cost_usd) AS model_cost_usd,
    count(*) FILTER (WHERE cache_hit) AS cache_hits,
    count(*) FILTER (WHERE fallback_code IS NOT NULL) AS fallbacks
  FROM facts GROUP BY key),
latencies AS (
  SELECT gkey, percentile_cont(ARRAY[0.5, 0.99])
      WITHIN GROUP (ORDER BY latency_micros) AS latency_micros
  FROM (SELECT key AS gkey, latency_micros FROM facts) l GROUP BY gkey),
shoppers AS (
  SELECT gkey, count(*) AS shoppers,
    count(*) FILTER (WHERE clicked) AS shoppers_clicked,
    count(*) FILTER (WHERE converted) AS shoppers_converted
  FROM (SELECT key AS gkey, shopper,
          bool_or(cardinality(clicked) > 0) AS clicked,
          bool_or(cardinality(carted) + cardinality(ordered) > 0) AS converted
        FROM facts WHERE shopper IS NOT NULL GROUP BY key, shopper) d
  GROUP BY gkey),
products_served AS (
  SELECT gkey, count(*) AS distinct_products
  FROM (SELECT DISTINCT key AS gkey, unnest(product_ids) AS p FROM facts) d
  GROUP BY gkey)
SELECT 0 AS section, gkey, served_answers, served_items, impressed_items,
  clicks, add_to_carts, orders, revenue_cents, coalesce(shoppers, 0),
  coalesce(shoppers_clicked, 0), coalesce(shoppers_converted, 0),
  model_calls, model_cost_usd, latency_micros[1] / 1000.0,
  latency_micros[2] / 1000.0, cache_hits, fallbacks,
  coalesce(distinct_products, 0)
FROM grouped JOIN latencies USING (gkey) LEFT JOIN shoppers USING (gkey)
  LEFT JOIN products_served USING (gkey)
)sql";

// By position: each fact counts at its position.
// answer_rows: one per answer and position; answers, shoppers,
//   products_served, impressed, clicked and converted: the counts per
//   position, joined on it. Distinct counts go through a DISTINCT (or a
//   GROUP BY group, shopper) first, which hashes instead of sorting every
//   group's rows.
constexpr char kByPositionSql[] = R"sql(answer_rows AS (
  SELECT coalesce(f.key, n::text) AS gkey,
    CASE WHEN n IS NULL THEN f.items ELSE 1 END AS items, f.shopper,
    f.model_calls, f.model_cost_usd, f.latency_micros, f.cache_hit,
    f.fallback_code
  FROM facts f LEFT JOIN LATERAL generate_subscripts(
      CASE WHEN f.key IS NULL THEN f.product_ids END, 1) n ON true),
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
  FROM (SELECT DISTINCT coalesce(f.key, n::text) AS gkey, f.product_ids[n]
        FROM facts f CROSS JOIN LATERAL generate_subscripts(f.product_ids, 1)
          n) d
  GROUP BY gkey),
impressed AS (
  SELECT coalesce(f.key, n::text) AS gkey, count(*) AS impressed_items
  FROM facts f CROSS JOIN LATERAL unnest(f.impressed) n
  GROUP BY 1),
clicked AS (
  SELECT gkey, sum(clicks) AS clicks, count(shopper) AS shoppers_clicked
  FROM (SELECT coalesce(f.key, n::text) AS gkey, f.shopper,
          count(*) AS clicks
        FROM facts f CROSS JOIN LATERAL unnest(f.clicked) n GROUP BY 1, 2) d
  GROUP BY gkey),
converted AS (
  SELECT gkey, sum(carts) AS add_to_carts, sum(orders) AS orders,
    sum(revenue) AS revenue_cents, count(shopper) AS shoppers_converted
  FROM (SELECT coalesce(f.key, c.n::text) AS gkey, f.shopper,
          count(*) FILTER (WHERE NOT c.is_order) AS carts,
          count(*) FILTER (WHERE c.is_order) AS orders,
          sum(c.revenue) AS revenue
        FROM facts f CROSS JOIN LATERAL (
          SELECT n, false AS is_order, 0::bigint AS revenue
          FROM unnest(f.carted) n
          UNION ALL
          SELECT n, true, r FROM unnest(f.ordered, f.order_revenue_cents)
            AS o(n, r)) c
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
)sql";

// Section 1: fallbacks by code; section 2: the unknown ids (the range's
// events with an id that is not an answer of the range, each then probed
// for in served_recommendations).
constexpr char kSectionsSql[] = R"sql(UNION ALL
SELECT 1, fallback_code, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM facts WHERE fallback_code IS NOT NULL GROUP BY fallback_code
UNION ALL
SELECT 2, NULL, count(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (
  SELECT i.recommendation_id FROM interactions i
  WHERE i.interaction_type IN ('view_product', 'add_to_cart', 'order_placed')
    AND i.occurred_at >= $1::timestamptz AND i.occurred_at < $2::timestamptz
    AND i.recommendation_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.rid = i.recommendation_id)
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

std::string PgInsightsReader::FactsCtes(absl::string_view from_param) {
  return absl::StrReplaceAll(kAnswerFactsCtes, {{"{FROM}", from_param}});
}

PgStatement PgInsightsReader::Statement(const InsightsQuery& query,
                                        absl::Time settled_until) {
  PgStatement st;
  const InsightsGrouping grouping = query.group_by;
  st.name = absl::StrCat("insights_", static_cast<int>(grouping));
  st.sql = absl::StrCat(
      "WITH ", FactsCtes("$6"),
      absl::StrReplaceAll(
          absl::StrCat(kFactsSql,
                       grouping == smartshop::v1::INSIGHTS_GROUPING_POSITION
                           ? kByPositionSql
                           : kByKeySql,
                       kSectionsSql),
          {{"{KEY}", KeyExpression(grouping)}, {"{COLUMNS}", kFactColumns}}));
  // Settled answers are read from $1 to the split, the rest attributed now.
  const absl::Time split = std::clamp(settled_until, query.since, query.until);
  st.params = {
      PgTimestamp(query.since),
      PgTimestamp(query.until),
      query.experiment,
      query.placement ? smartshop::v1::Placement_Name(*query.placement) : "",
      absl::StrCat(absl::ToInt64Seconds(query.conversion_window), " seconds"),
      PgTimestamp(split)};
  return st;
}

const std::string& PgInsightsReader::SettleSql() {
  static const std::string sql = absl::StrCat(
      "WITH ", FactsCtes("$1"),
      absl::StrReplaceAll(kSettleSql, {{"{COLUMNS}", kFactColumns}}));
  return sql;
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
  const std::string window =
      absl::StrCat(absl::ToInt64Seconds(query.conversion_window), " seconds");
  GetInsightsResponse response;
  absl::Status status = pool_->Run(deadline, [&](PgConnection& c) {
    response.Clear();
    // One snapshot for how far settlement has come and for the facts: the
    // settling job's chunks commit their rows and the new mark together.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(c.conn());
    SetStatementDeadline(txn, deadline);
    txn.exec(SettingsSql());
    // Settled answers count only for the window they were settled with.
    const pqxx::result mark = txn.exec_params(
        "SELECT CASE WHEN settled_until > '-infinity' THEN (extract(epoch "
        "FROM settled_until) * 1000000)::bigint END FROM "
        "served_outcomes_settled WHERE conversion_window = $1::interval",
        window);
    const absl::Time settled_until =
        mark.empty() || mark[0][0].is_null()
            ? absl::InfinitePast()
            : absl::FromUnixMicros(mark[0][0].as<int64_t>());
    const PgStatement statement = Statement(query, settled_until);
    // Unnamed, so planned with its values: how many answers the range
    // holds, and in which months, decides the plan.
    const pqxx::result rows = txn.exec_params(
        statement.sql, pqxx::prepare::make_dynamic_params(statement.params));
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
    txn.commit();
  });
  if (!status.ok()) return StorageErrorForCaller(status, "read_insights");
  std::sort(response.mutable_rows()->begin(), response.mutable_rows()->end(),
            [&](const InsightsRow& a, const InsightsRow& b) {
              return KeyLess(query.group_by, a.key(), b.key());
            });
  return response;
}

}  // namespace smartshop::tracking
