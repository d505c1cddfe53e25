-- Where a record's values came from, for tables more than one pair syncs: the time of the edit the values carry and
-- a fingerprint of the columns as written (JSON, lower-case column -> 12 hex chars). See Origins.
CREATE TABLE record_origins (
    entity          VARCHAR(300) NOT NULL,
    record_id       VARCHAR(200) NOT NULL,
    origin_at       BIGINT NOT NULL,
    columns_written VARCHAR(4000) NOT NULL,
    PRIMARY KEY (entity, record_id)
);
