-- The billing system of the topology tests (TopologyTest): a leaf of the star, the chain's third system, a corner
-- of the triangle. Status as A/I.
-- `modified` is set by the application (no default, no ON UPDATE): Syncline stamps it.
-- topology_writes counts the rows written to each table (inserts and updates, users' and Syncline's).
CREATE TABLE topology_writes (tbl VARCHAR(40) PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE star_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), state CHAR(1), modified DATETIME(6) NOT NULL);
INSERT INTO topology_writes VALUES ('star_people', 0);
CREATE TRIGGER star_people_inserted AFTER INSERT ON star_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'star_people';
CREATE TRIGGER star_people_updated AFTER UPDATE ON star_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'star_people';
INSERT INTO star_people (email, phone, state, modified) SELECT CONCAT('p', seq, '@topo.example'), CONCAT('+1 555 ', seq), 'A', NOW(6) FROM seq_1_to_20;
CREATE TABLE chain_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), state CHAR(1), modified DATETIME(6) NOT NULL);
INSERT INTO topology_writes VALUES ('chain_people', 0);
CREATE TRIGGER chain_people_inserted AFTER INSERT ON chain_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'chain_people';
CREATE TRIGGER chain_people_updated AFTER UPDATE ON chain_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'chain_people';
INSERT INTO chain_people (email, phone, state, modified) SELECT CONCAT('p', seq, '@topo.example'), CONCAT('+1 555 ', seq), 'A', NOW(6) FROM seq_1_to_20;
CREATE TABLE tri_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), state CHAR(1), modified DATETIME(6) NOT NULL);
INSERT INTO topology_writes VALUES ('tri_people', 0);
CREATE TRIGGER tri_people_inserted AFTER INSERT ON tri_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'tri_people';
CREATE TRIGGER tri_people_updated AFTER UPDATE ON tri_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'tri_people';
INSERT INTO tri_people (email, phone, state, modified) SELECT CONCAT('p', seq, '@topo.example'), CONCAT('+1 555 ', seq), 'A', NOW(6) FROM seq_1_to_20;
UPDATE topology_writes SET n = 0;
-- The billing side of the pair "payers" (routes/payers.yaml, CRM people <-> billing payers), as its application keeps it:
-- the database maintains the marker. Empty: the first run creates the CRM's people here.
CREATE TABLE payers (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, full_name VARCHAR(200), phone VARCHAR(40), state CHAR(1),
    updated_at DATETIME(6) NOT NULL DEFAULT NOW(6) ON UPDATE NOW(6), INDEX payers_updated (updated_at, id));
