-- A window's intent (what it is about to write to both sides of a link, stored before the sides commit and removed
-- once the link moved) in a table of its own, no longer in columns of the link: storing it rewrote each link's row
-- once more per window, and on H2 each row's page. One script per database: the long text's type is each one's own.
CREATE TABLE window_intents (
    pair        VARCHAR(100) NOT NULL,
    a_id        VARCHAR(200) NOT NULL,
    b_id        VARCHAR(200) NOT NULL,
    next_base   CHARACTER LARGE OBJECT,
    next_a_hash VARCHAR(32)  NOT NULL,
    next_b_hash VARCHAR(32)  NOT NULL,
    PRIMARY KEY (a_id, pair)
);
-- a window stopped between its sides' commits and its links' move keeps its intent
INSERT INTO window_intents (pair, a_id, b_id, next_base, next_a_hash, next_b_hash)
    SELECT pair, a_id, b_id, next_base, next_a_hash, next_b_hash FROM links WHERE next_a_hash IS NOT NULL;
-- one statement: H2 copies the table for each
ALTER TABLE links DROP COLUMN next_base, next_a_hash, next_b_hash;
-- Values up to 64 KB (a link's base, a conflict's values) are kept in their row, not in H2's store of large objects:
-- each base written there, and each one replaced, was a write of its own to H2's large-object maps. The setting is
-- the database's own: it holds for every connection, whatever the URL.
SET MAX_LENGTH_INPLACE_LOB 65536;
