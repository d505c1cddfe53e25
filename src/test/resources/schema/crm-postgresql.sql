CREATE TABLE contacts (
    id         BIGINT PRIMARY KEY,
    first_name VARCHAR(100),
    last_name  VARCHAR(100),
    email      VARCHAR(200),
    status     VARCHAR(20),
    birth_date VARCHAR(10),
    tier       VARCHAR(20),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX contacts_updated ON contacts (updated_at, id);
CREATE TABLE tickets (
    helpdesk_id BIGINT PRIMARY KEY,
    title       VARCHAR(200) NOT NULL,
    priority    VARCHAR(10),
    is_open     BOOLEAN,
    opened_at   TIMESTAMPTZ
);
INSERT INTO contacts SELECT x, 'Ada' || x, 'Lovelace', ' Ada' || x || '@Example.com ',
    CASE WHEN x % 3 = 0 THEN 'Inactive' ELSE 'Active' END, '10/12/1985', NULL,
    TIMESTAMP '2024-03-31 01:30:00' + x * INTERVAL '1 day', LOCALTIMESTAMP - INTERVAL '1 hour'
    FROM generate_series(1, 100) AS x;
CREATE TABLE companies (
    id         BIGSERIAL PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    domain     VARCHAR(200),
    updated_at TIMESTAMP(6) NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX companies_updated ON companies (updated_at, id);
CREATE FUNCTION touched() RETURNS trigger AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER companies_touched BEFORE UPDATE ON companies FOR EACH ROW EXECUTE FUNCTION touched();
CREATE TABLE people (
    id         BIGSERIAL PRIMARY KEY,
    email      VARCHAR(200) NOT NULL,
    first_name VARCHAR(100),
    last_name  VARCHAR(100),
    phone      VARCHAR(40),
    status     VARCHAR(20),
    notes      VARCHAR(1000),
    company_id BIGINT REFERENCES companies (id),
    updated_at TIMESTAMP(6) NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX people_updated ON people (updated_at, id);
CREATE TABLE people_writes (n BIGINT NOT NULL);
INSERT INTO people_writes VALUES (0);
CREATE FUNCTION people_touched() RETURNS trigger AS $$ BEGIN NEW.updated_at := clock_timestamp(); UPDATE people_writes SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER people_touched BEFORE INSERT OR UPDATE ON people FOR EACH ROW EXECUTE FUNCTION people_touched();
INSERT INTO people (email, first_name, last_name, phone, status)
    SELECT 'person' || x || '@example.com', 'Ada' || x, 'Byron', '+1 555 ' || x, 'Active' FROM generate_series(1, 100) AS x;
UPDATE people_writes SET n = 0;
-- As a Django app keeps its tables: a timestamptz change marker the application sets, no trigger
CREATE TABLE orders (
    id        BIGSERIAL PRIMARY KEY,
    reference VARCHAR(40) NOT NULL,
    total     NUMERIC(10, 2),
    note      TEXT,
    modified  TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_modified ON orders (modified, id);
-- an integer version the application increments
CREATE TABLE invoices (
    id      BIGINT PRIMARY KEY,
    amount  INTEGER,
    version BIGINT NOT NULL
);
-- As a Django or Rails app keeps a table: a timestamptz marker the application sets, no default, no trigger
CREATE TABLE accounts (
    id       BIGSERIAL PRIMARY KEY,
    name     VARCHAR(100) NOT NULL,
    plan     VARCHAR(20),
    modified TIMESTAMPTZ NOT NULL
);
-- As Laravel keeps a table: nullable timestamps that the application sets (imported rows, ids 2 to 12, have none yet;
-- PostgreSQL sorts them last, so the pair's first page of 10 holds two changes and eight of them, and its second page three)
CREATE TABLE tasks (
    id         BIGSERIAL PRIMARY KEY,
    title      VARCHAR(200),
    created_at TIMESTAMP(0) NULL,
    updated_at TIMESTAMP(0) NULL
);
INSERT INTO tasks (title, created_at, updated_at) VALUES ('Call Ada', LOCALTIMESTAMP, LOCALTIMESTAMP);
INSERT INTO tasks (title, created_at, updated_at) SELECT 'Imported, never touched ' || x, NULL, NULL FROM generate_series(1, 11) AS x;
INSERT INTO tasks (title, created_at, updated_at) VALUES ('Write to Grace', LOCALTIMESTAMP, LOCALTIMESTAMP);
-- imported data: an email that identifies a member but is not kept unique
CREATE TABLE members (
    id         BIGSERIAL PRIMARY KEY,
    email      VARCHAR(200),
    name       VARCHAR(100),
    updated_at TIMESTAMP NOT NULL
);
-- one-way target of "stories": the tracker's stories (an HTTP API), keyed by the tracker's id
CREATE TABLE stories (
    tracker_id  BIGINT PRIMARY KEY,
    title       TEXT NOT NULL,
    status      VARCHAR(20),
    points      INTEGER,
    owner_email VARCHAR(200),
    tags        TEXT,
    changed_at  TIMESTAMPTZ
);
-- one-way target of "labels": the tracker's labels, read whole on every poll (cursor none); a trigger counts the rows written
CREATE TABLE labels (tracker_id BIGINT PRIMARY KEY, name TEXT NOT NULL, color TEXT);
CREATE TABLE labels_writes (n BIGINT NOT NULL);
INSERT INTO labels_writes VALUES (0);
CREATE FUNCTION labels_written() RETURNS trigger AS $$ BEGIN UPDATE labels_writes SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER labels_written AFTER INSERT OR UPDATE ON labels FOR EACH ROW EXECUTE FUNCTION labels_written();
-- one-way target of "releases": the tracker's releases, taken by webhook
CREATE TABLE releases (
    tracker_id BIGINT PRIMARY KEY,
    name       TEXT,
    state      VARCHAR(20),
    changed_at TIMESTAMPTZ
);
-- two way with the tracker's bugs (an HTTP API): a timestamptz marker a trigger keeps, every write counted
CREATE TABLE bugs (
    id         BIGSERIAL PRIMARY KEY,
    ref        VARCHAR(20) NOT NULL,
    title      TEXT,
    status     VARCHAR(20),
    severity   INTEGER,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE bug_writes (n BIGINT NOT NULL);
INSERT INTO bug_writes VALUES (0);
CREATE FUNCTION bugs_touched() RETURNS trigger AS $$ BEGIN NEW.updated_at := clock_timestamp(); UPDATE bug_writes SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER bugs_touched BEFORE INSERT OR UPDATE ON bugs FOR EACH ROW EXECUTE FUNCTION bugs_touched();

-- Topologies (TopologyTest): the CRM is the hub of a star, the middle of a chain and a corner of a triangle of pairs.
-- Its change marker `modified` is set by the application (no default, no trigger): Syncline stamps it (aStamp/bStamp).
-- topology_writes counts the rows written to each table (inserts and updates, users' and Syncline's).
CREATE TABLE topology_writes (tbl VARCHAR(40) PRIMARY KEY, n BIGINT NOT NULL);
CREATE FUNCTION topology_written() RETURNS trigger AS $$ BEGIN UPDATE topology_writes SET n = n + 1 WHERE tbl = TG_TABLE_NAME; RETURN NULL; END $$ LANGUAGE plpgsql;
CREATE TABLE star_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), status VARCHAR(20), modified TIMESTAMPTZ NOT NULL);
INSERT INTO topology_writes VALUES ('star_people', 0);
CREATE TRIGGER star_people_written AFTER INSERT OR UPDATE ON star_people FOR EACH ROW EXECUTE FUNCTION topology_written();
INSERT INTO star_people (email, phone, status, modified) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, 'Active', clock_timestamp() FROM generate_series(1, 20) AS x;
CREATE TABLE chain_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), status VARCHAR(20), modified TIMESTAMPTZ NOT NULL);
INSERT INTO topology_writes VALUES ('chain_people', 0);
CREATE TRIGGER chain_people_written AFTER INSERT OR UPDATE ON chain_people FOR EACH ROW EXECUTE FUNCTION topology_written();
INSERT INTO chain_people (email, phone, status, modified) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, 'Active', clock_timestamp() FROM generate_series(1, 20) AS x;
CREATE TABLE tri_people (id BIGSERIAL PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), status VARCHAR(20), modified TIMESTAMPTZ NOT NULL);
INSERT INTO topology_writes VALUES ('tri_people', 0);
CREATE TRIGGER tri_people_written AFTER INSERT OR UPDATE ON tri_people FOR EACH ROW EXECUTE FUNCTION topology_written();
INSERT INTO tri_people (email, phone, status, modified) SELECT 'p' || x || '@topo.example', '+1 555 ' || x, 'Active', clock_timestamp() FROM generate_series(1, 20) AS x;
UPDATE topology_writes SET n = 0;
-- As many applications keep their tables: in a schema of their own, with uuid ids, an enum type, jsonb, an array, inet
-- and numeric columns, and a change marker the application sets (StockSchemasTest)
CREATE SCHEMA sales;
CREATE TYPE sales.customer_status AS ENUM ('active', 'inactive', 'blocked');
CREATE TABLE sales.customers (
    id         UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    email      TEXT NOT NULL UNIQUE,
    name       TEXT,
    status     sales.customer_status NOT NULL DEFAULT 'active',
    credit     NUMERIC(12, 2),
    vip        BOOLEAN NOT NULL DEFAULT FALSE,
    attrs      JSONB,
    tags       TEXT[],
    last_ip    INET,
    since      SMALLINT,
    opens      TIME(3),
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE sales_writes (n BIGINT NOT NULL);
INSERT INTO sales_writes VALUES (0);
CREATE FUNCTION sales_written() RETURNS trigger AS $$ BEGIN UPDATE sales_writes SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER customers_written AFTER INSERT OR UPDATE ON sales.customers FOR EACH ROW EXECUTE FUNCTION sales_written();
INSERT INTO sales.customers (email, name, status, credit, vip, attrs, tags, last_ip, since, opens, updated_at)
    SELECT 'c' || x || '@shop.example', 'Customer ' || x, CASE WHEN x % 4 = 0 THEN 'inactive' ELSE 'active' END::sales.customer_status,
        x * 10.25, x % 2 = 0, jsonb_build_object('source', 'web', 'visits', x), ARRAY['web', 'n' || x], ('10.0.0.' || x)::inet, 2000 + x, TIME '09:30:15.250' + x * INTERVAL '1 minute', now()
    FROM generate_series(1, 20) AS x;
UPDATE sales_writes SET n = 0;
-- the same name in the search path's schema, another table: a pair that names sales.customers must not read it
CREATE TABLE public.customers (id BIGINT PRIMARY KEY, legacy_code TEXT);
-- one name in two schemas off the search path: a pair must say which (InvalidPairFileTest)
CREATE SCHEMA archive;
CREATE TABLE sales.ledger (id BIGINT PRIMARY KEY, amount NUMERIC(12, 2), updated_at TIMESTAMP NOT NULL);
CREATE TABLE archive.ledger (id BIGINT PRIMARY KEY, amount NUMERIC(12, 2), updated_at TIMESTAMP NOT NULL);
-- a view: read as a source, refused as anything else (InvalidPairFileTest)
CREATE VIEW active_people AS SELECT id, email, phone, updated_at FROM people WHERE status = 'Active';
-- two names that one metadata pattern matches ('_' is any character): each table's columns are its own
CREATE TABLE bill_runs (id BIGINT PRIMARY KEY, updated_at TIMESTAMP NOT NULL);
CREATE TABLE billxruns (id BIGINT PRIMARY KEY, run_label TEXT, updated_at TIMESTAMP NOT NULL);
-- As Prisma keeps a model: a PascalCase table, camelCase columns, and ids and "updatedAt" given by the application, no
-- default (StockSchemasTest: Syncline gives the records it creates a UUID); records are matched by a uuid column
CREATE TABLE "Member" (
    "id"         TEXT PRIMARY KEY,
    "externalId" UUID NOT NULL UNIQUE,
    "email"      TEXT NOT NULL UNIQUE,
    "fullName"  TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL
);
INSERT INTO "Member" ("id", "externalId", "email", "fullName", "updatedAt")
    VALUES ('ckm1a2b3c0000', '0b6c1f3e-4a5d-4e8f-9a7b-2c3d4e5f6a71', 'm1@models.example', 'Member One', now());
-- Without change markers (StockSchemasTest: cursor none, every poll reads such a table whole): the copy of the help desk's
-- stock list, where a trigger counts every row written (PostgreSQL's fires for an upsert that changes nothing, MariaDB's
-- does not), and offices whose application sets updated_at, synced two way with the help desk's branches, which have no marker
CREATE TABLE shop_items (sku VARCHAR(20) PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL);
CREATE TABLE shop_items_writes (n BIGINT NOT NULL);
INSERT INTO shop_items_writes VALUES (0);
CREATE FUNCTION shop_items_written() RETURNS trigger AS $$ BEGIN UPDATE shop_items_writes SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER shop_items_written AFTER INSERT OR UPDATE ON shop_items FOR EACH ROW EXECUTE FUNCTION shop_items_written();
-- the help desk's expected deliveries (pair "arrivals")
CREATE TABLE arrival_copy (sku VARCHAR(20) PRIMARY KEY, qty INTEGER NOT NULL);
-- a copy of the stock list that refuses every row (pair "refused"): its source's records are all dead letters
CREATE TABLE refused_items (sku VARCHAR(20) PRIMARY KEY, title TEXT NOT NULL, qty INTEGER NOT NULL CHECK (qty < 0));
-- the same suppliers, copied one way by pair "mirror", which deletes a supplier deleted there
CREATE TABLE supplier_mirror (supplier_id BIGINT PRIMARY KEY, name TEXT NOT NULL);
-- the help desk's suppliers, copied one way; one deleted there is archived here (status G), with its marker stamped
CREATE TABLE supplier_copy (supplier_id BIGINT PRIMARY KEY, name TEXT NOT NULL, status CHAR(1) NOT NULL, changed_at TIMESTAMPTZ NOT NULL);
-- orders of the copy's items: an item ordered cannot be deleted from it (one-way deletes refused by the target)
CREATE TABLE shop_orders (id BIGSERIAL PRIMARY KEY, sku VARCHAR(20) NOT NULL REFERENCES shop_items (sku));
CREATE TABLE offices (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, city TEXT, updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE offices_writes (n BIGINT NOT NULL);
INSERT INTO offices_writes VALUES (0);
CREATE FUNCTION offices_written() RETURNS trigger AS $$ BEGIN UPDATE offices_writes SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER offices_written AFTER INSERT OR UPDATE ON offices FOR EACH ROW EXECUTE FUNCTION offices_written();
INSERT INTO offices (name, city, updated_at) VALUES ('North', 'Oslo', now()), ('South', 'Seville', now()), ('East', 'Tallinn', now());
UPDATE offices_writes SET n = 0;
