-- Syncline's own state. Times are epoch milliseconds so that the same script runs on H2,
-- PostgreSQL and MariaDB.

-- per pair and side: the cursor (how far the reader has safely read), counters and the pause flag
CREATE TABLE pair_state (
    pair         VARCHAR(100) NOT NULL,
    side         VARCHAR(100) NOT NULL,
    cursor_value VARCHAR(64),
    cursor_id    VARCHAR(200),
    rows_synced  BIGINT       NOT NULL DEFAULT 0,
    paused       BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at   BIGINT       NOT NULL,
    PRIMARY KEY (pair, side)
);

-- the tie between a source record and its twin on the target, with the hash of what was synced.
-- The id leads the key: a page's hashes are fetched with "a_id IN (...)", which H2 serves from
-- the key only when the IN column comes first.
CREATE TABLE links (
    pair      VARCHAR(100) NOT NULL,
    a_id      VARCHAR(200) NOT NULL,
    b_id      VARCHAR(200) NOT NULL,
    a_hash    VARCHAR(32)  NOT NULL,
    synced_at BIGINT       NOT NULL,
    PRIMARY KEY (a_id, pair)
);

-- records that could not be synced, with the reason; replaced when seen again, removed once synced
CREATE TABLE dead_letters (
    pair       VARCHAR(100)  NOT NULL,
    side       VARCHAR(100)  NOT NULL,
    record_id  VARCHAR(200)  NOT NULL,
    reason     VARCHAR(2000) NOT NULL,
    record     VARCHAR(4000),
    first_seen BIGINT        NOT NULL,
    last_seen  BIGINT        NOT NULL,
    attempts   INT           NOT NULL,
    PRIMARY KEY (pair, side, record_id)
);
