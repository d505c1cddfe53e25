-- Record history: the decisions that touched each link of a two-way pair (which side changed which fields,
-- which rule decided, old and new values), kept for syncline.history.keep. One script per database for the text type (H2: not a LOB, which it stores apart, slowly).
CREATE TABLE record_history (
    pair       VARCHAR(100) NOT NULL,
    a_id       VARCHAR(200) NOT NULL,
    decided_at BIGINT NOT NULL,
    entry      LONGTEXT NOT NULL
);
CREATE INDEX record_history_by_record ON record_history (pair, a_id, decided_at);
CREATE INDEX record_history_by_time ON record_history (decided_at);
