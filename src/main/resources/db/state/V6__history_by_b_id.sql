-- Record history by a record's id on side b too, so that the history of a record whose link ended (deleted on both
-- sides) is found by either id.
ALTER TABLE record_history ADD COLUMN b_id VARCHAR(200);
CREATE INDEX record_history_by_b_record ON record_history (pair, b_id, decided_at);
