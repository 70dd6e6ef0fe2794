-- What the recommendations did (InsightsService, docs/attribution.md): the
-- answers the recommender served, what the shop showed of them, and the
-- recommendation each interaction came from.

-- Added without a default: only the catalog changes, no row is rewritten.
ALTER TABLE interactions ADD COLUMN recommendation_id uuid,
  ADD COLUMN recommendation_position integer;
-- Clicks and conversions carrying an id, by the answer they name. Partial:
-- most events carry none.
CREATE INDEX interactions_recommendation
  ON interactions (recommendation_id, occurred_at)
  WHERE recommendation_id IS NOT NULL;

-- One row per answer served (cache hits included), batched by the
-- recommender. Partitioned by month of served_at like interactions, so
-- retention drops whole months. A retried batch carries the same
-- served_at, so the primary key makes RecordServed idempotent.
CREATE TABLE served_recommendations (
  recommendation_id uuid NOT NULL,
  served_at         timestamptz NOT NULL,
  user_id           text,
  session_key       text,
  placement         text NOT NULL,
  strategy          text NOT NULL,
  experiment        text,
  variant           text,
  cache_hit         boolean NOT NULL,
  -- In position order: position n is product_ids[n].
  product_ids       bigint[] NOT NULL,
  model_calls       integer NOT NULL DEFAULT 0 CHECK (model_calls >= 0),
  model_cost_usd    double precision NOT NULL DEFAULT 0
                      CHECK (model_cost_usd >= 0),
  latency_micros    bigint NOT NULL DEFAULT 0 CHECK (latency_micros >= 0),
  fallback_code     text,
  PRIMARY KEY (recommendation_id, served_at)
) PARTITION BY RANGE (served_at);
CREATE INDEX served_recommendations_time ON served_recommendations (served_at);
CREATE INDEX served_recommendations_experiment
  ON served_recommendations (experiment, served_at)
  WHERE experiment IS NOT NULL;
-- Erasure (DeleteUserData).
CREATE INDEX served_recommendations_user ON served_recommendations (user_id)
  WHERE user_id IS NOT NULL;

-- What the shop rendered of an answer: one row per impression event.
CREATE TABLE recommendation_impressions (
  event_id          uuid NOT NULL,
  recommendation_id uuid NOT NULL,
  shown_at          timestamptz NOT NULL,
  user_id           text,
  session_key       text,
  -- The positions shown (1 = first); NULL = every served item.
  positions         integer[],
  received_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, shown_at),
  CHECK (user_id IS NOT NULL OR session_key IS NOT NULL)
) PARTITION BY RANGE (shown_at);
CREATE INDEX recommendation_impressions_answer
  ON recommendation_impressions (recommendation_id);
CREATE INDEX recommendation_impressions_user ON recommendation_impressions
  (user_id) WHERE user_id IS NOT NULL;
-- event_id unique across months, as interaction_event_ids does for
-- interactions; shown_at lets retention forget the ids of dropped months.
CREATE TABLE impression_event_ids (
  event_id uuid PRIMARY KEY,
  shown_at timestamptz NOT NULL
);
CREATE INDEX impression_event_ids_time ON impression_event_ids (shown_at);

-- The month partitions of both tables, made as interactions_ensure_partition
-- makes the interactions' (created apart, then attached): <table>_yYYYYmMM.
-- True when it made the partition.
CREATE FUNCTION insights_ensure_partition(parent regclass, moment timestamptz)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamp := date_trunc('month', moment AT TIME ZONE 'UTC');
  name text := parent::text || '_' || to_char(month_start, '"y"YYYY"m"MM');
BEGIN
  PERFORM pg_advisory_xact_lock(7596553517003597933);
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format(
    'CREATE TABLE %I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
    name, parent);
  EXECUTE format(
    'ALTER TABLE %s ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
    parent, name, month_start AT TIME ZONE 'UTC',
    (month_start + interval '1 month') AT TIME ZONE 'UTC');
  RETURN true;
END $$;

SELECT insights_ensure_partition(parent,
         date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
FROM unnest(ARRAY['served_recommendations',
                  'recommendation_impressions']::regclass[]) AS parent;
