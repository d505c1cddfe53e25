-- The marketing tool of the topology tests (TopologyTest): a leaf of the star and the end of the chain. Its marker is
-- kept by a trigger; status as subscribed/unsubscribed.
CREATE TABLE topology_writes (tbl VARCHAR(40) PRIMARY KEY, n BIGINT NOT NULL);
CREATE FUNCTION topology_written() RETURNS trigger AS $$ BEGIN UPDATE topology_writes SET n = n + 1 WHERE tbl = TG_TABLE_NAME; RETURN NULL; END $$ LANGUAGE plpgsql;
CREATE FUNCTION topology_touched() RETURNS trigger AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TABLE star_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), status VARCHAR(20), updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
INSERT INTO topology_writes VALUES ('star_people', 0);
CREATE TRIGGER star_people_touched BEFORE UPDATE ON star_people FOR EACH ROW EXECUTE FUNCTION topology_touched();
CREATE TRIGGER star_people_written AFTER INSERT OR UPDATE ON star_people FOR EACH ROW EXECUTE FUNCTION topology_written();
INSERT INTO star_people (email, phone, status) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, 'subscribed' FROM generate_series(1, 20) AS x;
CREATE TABLE chain_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), status VARCHAR(20), updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
INSERT INTO topology_writes VALUES ('chain_people', 0);
CREATE TRIGGER chain_people_touched BEFORE UPDATE ON chain_people FOR EACH ROW EXECUTE FUNCTION topology_touched();
CREATE TRIGGER chain_people_written AFTER INSERT OR UPDATE ON chain_people FOR EACH ROW EXECUTE FUNCTION topology_written();
INSERT INTO chain_people (email, phone, status) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, 'subscribed' FROM generate_series(1, 20) AS x;
UPDATE topology_writes SET n = 0;
