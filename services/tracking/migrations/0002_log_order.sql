-- The event log's order for Subscribe: the writing transaction's id, then
-- the row id. Every row of a transaction older than the oldest transaction
-- still running is final, so a subscriber that reads in (txid, id) order
-- only below that horizon never sees a gap filled later, while writers
-- commit concurrently (ids alone would need writers to commit one by one).
ALTER TABLE interactions
  ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX interactions_log_order ON interactions (txid, id);
