-- Two-way pairs. A link ties side A's record to side B's by their own ids, with the base (the
-- canonical values both sides last agreed on, as JSON) and the hash of what each side holds.
ALTER TABLE links ADD COLUMN b_hash VARCHAR(32);
ALTER TABLE links ADD COLUMN base VARCHAR(4000);
-- what a window is about to write, stored before the sides commit and cleared after the link moves:
-- a crash in between tells the next apply which writes made it
ALTER TABLE links ADD COLUMN next_base VARCHAR(4000);
ALTER TABLE links ADD COLUMN next_a_hash VARCHAR(32);
ALTER TABLE links ADD COLUMN next_b_hash VARCHAR(32);
CREATE INDEX links_by_b ON links (b_id, pair);

-- the aggregator's durable side: changes seen in the current window (batch_id '') and windows
-- being applied (batch_id = the aggregated exchange), removed once applied
CREATE TABLE pending_changes (
    pair      VARCHAR(100) NOT NULL,
    batch_id  VARCHAR(100) NOT NULL,
    side      VARCHAR(1)   NOT NULL,
    record_id VARCHAR(200) NOT NULL,
    added_at  BIGINT       NOT NULL,
    PRIMARY KEY (pair, batch_id, side, record_id)
);

-- records both sides changed that wait for an operator (policy manual); both sides keep their values
CREATE TABLE conflicts (
    pair        VARCHAR(100)  NOT NULL,
    a_id        VARCHAR(200)  NOT NULL,
    b_id        VARCHAR(200)  NOT NULL,
    fields      VARCHAR(1000) NOT NULL,
    base        VARCHAR(4000),
    a_values    VARCHAR(4000),
    b_values    VARCHAR(4000),
    detected_at BIGINT        NOT NULL,
    updated_at  BIGINT        NOT NULL,
    PRIMARY KEY (pair, a_id)
);

-- records that reference a record of another pair (ref(...)) which has no link yet: applied when it has
CREATE TABLE parked (
    pair        VARCHAR(100) NOT NULL,
    side        VARCHAR(1)   NOT NULL,
    record_id   VARCHAR(200) NOT NULL,
    parent_pair VARCHAR(100) NOT NULL,
    parked_at   BIGINT       NOT NULL,
    PRIMARY KEY (pair, side, record_id)
);
