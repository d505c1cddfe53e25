-- A window's intent (what it is about to write to both sides of a link, stored before the sides commit and removed
-- once the link moved) in a table of its own, no longer in columns of the link: storing it rewrote each link's row
-- once more per window, and on H2 each row's page. One script per database: the long text's type is each one's own.
CREATE TABLE window_intents (
    pair        VARCHAR(100) NOT NULL,
    a_id        VARCHAR(200) NOT NULL,
    b_id        VARCHAR(200) NOT NULL,
    next_base   LONGTEXT,
    next_a_hash VARCHAR(32)  NOT NULL,
    next_b_hash VARCHAR(32)  NOT NULL,
    PRIMARY KEY (a_id, pair)
) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
-- a window stopped between its sides' commits and its links' move keeps its intent
INSERT INTO window_intents (pair, a_id, b_id, next_base, next_a_hash, next_b_hash)
    SELECT pair, a_id, b_id, next_base, next_a_hash, next_b_hash FROM links WHERE next_a_hash IS NOT NULL;
ALTER TABLE links DROP COLUMN next_base, DROP COLUMN next_a_hash, DROP COLUMN next_b_hash;
