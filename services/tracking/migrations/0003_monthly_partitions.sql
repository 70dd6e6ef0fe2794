-- interactions becomes a table partitioned by month of occurred_at (UTC), so
-- that old months are dropped whole and time-bounded reads touch only their
-- months. See docs/architecture.md, "Storage at scale".
--
-- The existing rows are copied with their id, event_id and txid, so every
-- ListInteractions page token and Subscribe position taken before stays
-- exact. The copy runs inside the migration's one transaction and holds the
-- old table locked while it runs: writers and readers wait (README, "Moving
-- an existing database to monthly partitions").

ALTER TABLE interactions RENAME TO interactions_unpartitioned;
-- Index and constraint names are per schema: free them for the new table.
DROP INDEX interactions_recent, interactions_type_recent,
  interactions_user_recent, interactions_session_recent,
  interactions_product_recent, interactions_log_order;
ALTER TABLE interactions_unpartitioned
  RENAME CONSTRAINT interactions_pkey TO interactions_unpartitioned_pkey;
ALTER TABLE interactions_unpartitioned
  DROP CONSTRAINT interactions_event_id_key;

-- The same columns in the same order, with their defaults, CHECK constraints
-- and identity. A unique key of a partitioned table must hold the partition
-- key: the primary key is (id, occurred_at), which the identity makes unique
-- by id alone anyway.
CREATE TABLE interactions (
  LIKE interactions_unpartitioned
    INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY,
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

-- event_id stays unique across months here: the store inserts each event's
-- id into this table first (ON CONFLICT DO NOTHING), in the same statement
-- and transaction, and writes only the events whose id went in. A replay in
-- another month meets the same primary key.
CREATE TABLE interaction_event_ids (
  event_id uuid PRIMARY KEY
);

-- The one place a month's partition is made: interactions_yYYYYmMM holding
-- [first of the month, first of the next) in UTC. Created apart and then
-- attached, which locks the parent only in SHARE UPDATE EXCLUSIVE mode
-- (CREATE TABLE ... PARTITION OF would block every reader and writer);
-- attaching builds the parent's indexes on the new, empty table. Callers
-- serialise through the advisory lock. True when it made the partition.
CREATE FUNCTION interactions_ensure_partition(moment timestamptz)
RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamp := date_trunc('month', moment AT TIME ZONE 'UTC');
  name text := 'interactions_' || to_char(month_start, '"y"YYYY"m"MM');
BEGIN
  PERFORM pg_advisory_xact_lock(7596553517003597932);
  IF to_regclass(name) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format(
    'CREATE TABLE %I (LIKE interactions INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
    name);
  EXECUTE format(
    'ALTER TABLE interactions ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
    name, month_start AT TIME ZONE 'UTC',
    (month_start + interval '1 month') AT TIME ZONE 'UTC');
  RETURN true;
END $$;

-- The months the old rows need, and this one: the service creates the months
-- ahead itself at start-up.
SELECT interactions_ensure_partition(month AT TIME ZONE 'UTC')
FROM (SELECT date_trunc('month', occurred_at AT TIME ZONE 'UTC') AS month
      FROM interactions_unpartitioned
      UNION SELECT date_trunc('month', now() AT TIME ZONE 'UTC')) AS months;

INSERT INTO interactions (id, event_id, user_id, session_key,
  interaction_type, occurred_at, product_id, category_id, order_id, quantity,
  search_query, page_url, referrer_url, ip_address, user_agent, extra_data,
  received_at, txid)
OVERRIDING SYSTEM VALUE
SELECT id, event_id, user_id, session_key, interaction_type, occurred_at,
  product_id, category_id, order_id, quantity, search_query, page_url,
  referrer_url, ip_address, user_agent, extra_data, received_at, txid
FROM interactions_unpartitioned;
INSERT INTO interaction_event_ids (event_id)
SELECT event_id FROM interactions_unpartitioned;

-- New ids continue from where the old identity stood, not from max(id).
DO $$
DECLARE
  last bigint;
  called boolean;
BEGIN
  EXECUTE format('SELECT last_value, is_called FROM %s',
                 pg_get_serial_sequence('interactions_unpartitioned', 'id'))
    INTO last, called;
  PERFORM setval(pg_get_serial_sequence('interactions', 'id'), last, called);
END $$;

DROP TABLE interactions_unpartitioned;

-- Built after the copy (faster than row by row); created on the parent, so
-- every partition made later gets them too.
CREATE INDEX interactions_recent ON interactions (occurred_at DESC, id DESC);
CREATE INDEX interactions_type_recent
  ON interactions (interaction_type, occurred_at DESC, id DESC);
CREATE INDEX interactions_user_recent
  ON interactions (user_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_session_recent
  ON interactions (session_key, occurred_at DESC, id DESC);
CREATE INDEX interactions_product_recent
  ON interactions (product_id, occurred_at DESC, id DESC);
CREATE INDEX interactions_log_order ON interactions (txid, id);

ANALYZE interactions, interaction_event_ids;
