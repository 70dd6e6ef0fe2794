-- What each served answer came to, kept once its attribution can no longer
-- change (docs/attribution.md, "Settled answers"): long-range insights then
-- add up stored facts instead of attributing every answer again.

-- One row per settled answer: the answer's own columns, then its facts by
-- position (1 = first item), each fact once: impressed holds a position once
-- per impression that showed it, clicked once per clicked product, carted
-- and ordered once per attributed cart and order, order_revenue_cents the
-- price x quantity of each order (parallel to ordered), revenue_cents their
-- sum. Partitioned by month
-- of served_at as served_recommendations, and dropped with its months.
CREATE TABLE served_outcomes (
  recommendation_id   uuid NOT NULL,
  served_at           timestamptz NOT NULL,
  user_id             text,
  -- 'u:<user_id>' or 's:<session_key>': the shopper counted.
  shopper             text,
  placement           text NOT NULL,
  strategy            text NOT NULL,
  experiment          text,
  variant             text,
  cache_hit           boolean NOT NULL,
  product_ids         bigint[] NOT NULL,
  model_calls         integer NOT NULL,
  model_cost_usd      double precision NOT NULL,
  latency_micros      bigint NOT NULL,
  fallback_code       text,
  impressed           integer[] NOT NULL,
  clicked             integer[] NOT NULL,
  carted              integer[] NOT NULL,
  ordered             integer[] NOT NULL,
  order_revenue_cents bigint[] NOT NULL,
  revenue_cents       bigint NOT NULL,
  PRIMARY KEY (recommendation_id, served_at)
) PARTITION BY RANGE (served_at);
CREATE INDEX served_outcomes_time ON served_outcomes (served_at);
CREATE INDEX served_outcomes_experiment ON served_outcomes (experiment,
  served_at) WHERE experiment IS NOT NULL;
-- Erasure (DeleteUserData).
CREATE INDEX served_outcomes_user ON served_outcomes (user_id)
  WHERE user_id IS NOT NULL;

-- How far settlement has come: every answer served before settled_until is
-- in served_outcomes, as attributed with conversion_window; later ones are
-- attributed when read. One row, from the start (so that an erasure always
-- has it to lock; '-infinity' = nothing settled yet). Anything that
-- can still change an earlier answer (a late served record, a late event,
-- a late impression) moves settled_until back to before that answer, in
-- the transaction that stores it; the job then settles from there again.
CREATE TABLE served_outcomes_settled (
  singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  conversion_window interval NOT NULL,
  settled_until     timestamptz NOT NULL
);
INSERT INTO served_outcomes_settled VALUES (true, '24 hours', '-infinity');

SELECT insights_ensure_partition('served_outcomes'::regclass,
         to_date(substr(right(c.relname, 8), 2, 4) || right(c.relname, 2),
                 'YYYYMM')::timestamp AT TIME ZONE 'UTC')
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = 'served_recommendations'::regclass
  AND c.relname ~ '^served_recommendations_y[0-9]{4}m[0-9]{2}$';
