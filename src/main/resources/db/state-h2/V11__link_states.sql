-- H2 writes every index of a row it updates, whether the indexed columns changed or not: it removes the row and adds it
-- back. A link moved by a window or a page rewrote its place in the key (a_id, pair), in links_by_b and in the rows: three
-- trees, each page written in full at the commit. What moves (the hashes, the base, the time) goes to a table keyed by a
-- number alone, one tree; links keeps the ids and gets that number, written when a link is made or its B id changes.
-- Measured alone (100,000 links, chunks of 1,000 moved): 86 ms a chunk before, 16 ms after, and a quarter of the file's
-- growth. PostgreSQL and MariaDB update in place what is not indexed, and keep one table.
CREATE SEQUENCE link_ids CACHE 1000;
CREATE TABLE link_states (
    id        BIGINT PRIMARY KEY,
    a_hash    VARCHAR(32) NOT NULL,
    b_hash    VARCHAR(32),
    base      CHARACTER LARGE OBJECT,
    synced_at BIGINT NOT NULL
);
ALTER TABLE links ADD COLUMN id BIGINT;
UPDATE links SET id = NEXT VALUE FOR link_ids;
INSERT INTO link_states (id, a_hash, b_hash, base, synced_at) SELECT id, a_hash, b_hash, base, synced_at FROM links;
-- one statement: H2 copies the table for each
ALTER TABLE links DROP COLUMN a_hash, b_hash, base, synced_at;
ALTER TABLE links ALTER COLUMN id SET NOT NULL;
