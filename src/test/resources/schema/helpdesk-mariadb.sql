CREATE TABLE customers (
    crm_id      BIGINT PRIMARY KEY,
    full_name   VARCHAR(200) CHARACTER SET utf8mb3,  -- as old MySQL tables are: no room for an emoji (error 1366)
    email       VARCHAR(200) NOT NULL,
    active      TINYINT,
    birthday    DATE,
    tier        ENUM('standard', 'silver', 'gold'),  -- an unknown tier is error 1265, SQL state 01000
    created_utc DATETIME
);
CREATE TABLE customer_writes (n BIGINT NOT NULL);
INSERT INTO customer_writes VALUES (0);
CREATE TRIGGER customers_inserted AFTER INSERT ON customers FOR EACH ROW UPDATE customer_writes SET n = n + 1;
CREATE TRIGGER customers_updated AFTER UPDATE ON customers FOR EACH ROW UPDATE customer_writes SET n = n + 1;
CREATE TABLE tickets (
    id         BIGINT PRIMARY KEY,
    subject    VARCHAR(200),
    priority   INT,
    status     VARCHAR(10),
    opened_at  DATETIME NOT NULL,
    updated_at DATETIME(6) NOT NULL
);
INSERT INTO tickets SELECT seq, CONCAT('Printer on fire #', seq), MOD(seq, 3) + 1,
    IF(MOD(seq, 2) = 0, 'closed', 'open'), TIMESTAMP '2024-06-01 08:00:00' + INTERVAL seq HOUR, NOW(6) - INTERVAL 1 HOUR
    FROM seq_1_to_20;
CREATE TABLE organizations (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    website    VARCHAR(200),
    updated_at DATETIME(6) NOT NULL DEFAULT NOW(6) ON UPDATE NOW(6),
    INDEX organizations_updated (updated_at, id)
);
CREATE TABLE users (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    email      VARCHAR(200) NOT NULL,
    first_name VARCHAR(100),
    last_name  VARCHAR(100),
    phone      VARCHAR(40),
    active     TINYINT,
    notes      VARCHAR(1000),
    org_id     BIGINT,
    updated_at DATETIME(6) NOT NULL DEFAULT NOW(6) ON UPDATE NOW(6),
    INDEX users_updated (updated_at, id),
    FOREIGN KEY (org_id) REFERENCES organizations (id)
);
CREATE TABLE user_writes (n BIGINT NOT NULL);
INSERT INTO user_writes VALUES (0);
CREATE TRIGGER users_inserted AFTER INSERT ON users FOR EACH ROW UPDATE user_writes SET n = n + 1;
CREATE TRIGGER users_updated AFTER UPDATE ON users FOR EACH ROW UPDATE user_writes SET n = n + 1;
INSERT INTO users (email, first_name, last_name, phone, active)
    SELECT CONCAT(' PERSON', seq, '@Example.com'), CONCAT('Ada', seq), IF(seq > 50, 'King', 'Byron'), CONCAT('+1 555 ', seq), 1
    FROM seq_1_to_60;
INSERT INTO users (email, first_name, last_name, active) SELECT CONCAT('helper', seq, '@example.com'), 'Help', 'Desk', 1 FROM seq_101_to_105;
UPDATE user_writes SET n = 0;
-- `modified` is set by the application: no default, no ON UPDATE (Syncline stamps it: targetStamp)
CREATE TABLE orders (
    crm_id    BIGINT PRIMARY KEY,
    reference VARCHAR(40) NOT NULL,
    total     DECIMAL(10, 2),
    note      TEXT,
    modified  DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE invoices (
    crm_id BIGINT PRIMARY KEY,
    amount INT
);
-- As a Laravel app keeps a table: the application sets `modified`, no default, no ON UPDATE, no trigger
CREATE TABLE clients (
    id       BIGINT AUTO_INCREMENT PRIMARY KEY,
    name     VARCHAR(100) NOT NULL,
    plan     VARCHAR(20),
    modified DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4;
CREATE TABLE tasks (
    crm_id BIGINT PRIMARY KEY,
    title  VARCHAR(200)
) CHARACTER SET utf8mb4;
-- one-way target of "members", keyed by email
CREATE TABLE members (
    email VARCHAR(200) PRIMARY KEY,
    name  VARCHAR(100)
) CHARACTER SET utf8mb4;
-- one-way source of "notes" (to the tracker's notes, an HTTP API): the application keeps modified
CREATE TABLE articles (
    id       BIGINT AUTO_INCREMENT PRIMARY KEY,
    title    VARCHAR(300) NOT NULL,
    body     TEXT,
    modified DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4;
-- one-way source of "memos" (to the tracker's memos, written with PUT; archived there when deleted here)
CREATE TABLE memo_drafts (
    id       BIGINT AUTO_INCREMENT PRIMARY KEY,
    title    VARCHAR(300) NOT NULL,
    modified DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4;

-- Topologies (TopologyTest): a leaf of the star, an end of the chain, a corner of the triangle. Status as 1/0.
-- `modified` is set by the application (no default, no ON UPDATE): Syncline stamps it.
-- topology_writes counts the rows written to each table (inserts and updates, users' and Syncline's).
CREATE TABLE topology_writes (tbl VARCHAR(40) PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE star_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), active TINYINT, modified DATETIME(6) NOT NULL);
INSERT INTO topology_writes VALUES ('star_people', 0);
CREATE TRIGGER star_people_inserted AFTER INSERT ON star_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'star_people';
CREATE TRIGGER star_people_updated AFTER UPDATE ON star_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'star_people';
INSERT INTO star_people (email, phone, active, modified) SELECT CONCAT('p', seq, '@topo.example'), CONCAT('+1 555 ', seq), 1, NOW(6) FROM seq_1_to_20;
CREATE TABLE chain_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), active TINYINT, modified DATETIME(6) NOT NULL);
INSERT INTO topology_writes VALUES ('chain_people', 0);
CREATE TRIGGER chain_people_inserted AFTER INSERT ON chain_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'chain_people';
CREATE TRIGGER chain_people_updated AFTER UPDATE ON chain_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'chain_people';
INSERT INTO chain_people (email, phone, active, modified) SELECT CONCAT('p', seq, '@topo.example'), CONCAT('+1 555 ', seq), 1, NOW(6) FROM seq_1_to_20;
CREATE TABLE tri_people (id BIGINT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL, phone VARCHAR(40), active TINYINT, modified DATETIME(6) NOT NULL);
INSERT INTO topology_writes VALUES ('tri_people', 0);
CREATE TRIGGER tri_people_inserted AFTER INSERT ON tri_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'tri_people';
CREATE TRIGGER tri_people_updated AFTER UPDATE ON tri_people FOR EACH ROW UPDATE topology_writes SET n = n + 1 WHERE tbl = 'tri_people';
INSERT INTO tri_people (email, phone, active, modified) SELECT CONCAT('p', seq, '@topo.example'), CONCAT('+1 555 ', seq), 1, NOW(6) FROM seq_1_to_20;
UPDATE topology_writes SET n = 0;
-- The shop's customers as a PHP application keeps them (StockSchemasTest): an ENUM, a JSON column, a TINYINT(1) flag, a
-- YEAR and a change marker of whole seconds that MariaDB sets on every update
CREATE TABLE buyers (
    id        INT AUTO_INCREMENT PRIMARY KEY,
    email     VARCHAR(200) NOT NULL UNIQUE,
    full_name VARCHAR(200),
    state     ENUM('on', 'off', 'blocked') NOT NULL DEFAULT 'on',
    credit    DECIMAL(12, 2),
    vip       TINYINT(1) NOT NULL DEFAULT 0,
    extra     JSON,
    tags      VARCHAR(200),
    last_ip   VARCHAR(45),
    since     YEAR,
    opens     TIME(3),
    modified  TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP
);
CREATE TABLE buyers_writes (n BIGINT NOT NULL);
INSERT INTO buyers_writes VALUES (0);
CREATE TRIGGER buyers_inserted AFTER INSERT ON buyers FOR EACH ROW UPDATE buyers_writes SET n = n + 1;
CREATE TRIGGER buyers_updated AFTER UPDATE ON buyers FOR EACH ROW UPDATE buyers_writes SET n = n + 1;
-- five of the shop's customers (matched by email on the first run) and two of its own
INSERT INTO buyers (email, full_name, state, credit, vip, extra, tags, last_ip, since, opens) SELECT CONCAT('c', seq, '@shop.example'), CONCAT('Customer ', seq),
    IF(seq % 4 = 0, 'off', 'on'), seq * 10.25, seq % 2 = 0, JSON_OBJECT('source', 'web', 'visits', seq), CONCAT('{web,n', seq, '}'), CONCAT('10.0.0.', seq),
    2000 + seq, ADDTIME('09:30:15.250', SEC_TO_TIME(seq * 60)) FROM seq_1_to_5;
INSERT INTO buyers (email, full_name, state, credit, vip, extra, tags, last_ip, since, opens) VALUES
    ('d1@shop.example', 'Desk One', 'off', 5.50, 1, '{"source": "desk"}', '{desk,"help desk"}', '192.168.0.7', 2019, '08:00:00.125'),
    ('d2@shop.example', 'Desk Two', 'blocked', NULL, 0, NULL, NULL, NULL, NULL, NULL);
UPDATE buyers_writes SET n = 0;
-- the other side of the Prisma model (StockSchemasTest)
CREATE TABLE app_members (
    id          BIGINT AUTO_INCREMENT PRIMARY KEY,
    external_id CHAR(36) NOT NULL UNIQUE,
    email      VARCHAR(200) NOT NULL UNIQUE,
    name       VARCHAR(200),
    updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
);
INSERT INTO app_members (external_id, email, name) VALUES ('5e2a9c4d-1b3f-4a6e-8d7c-9f0a1b2c3d42', 'm2@models.example', 'Member Two');
-- Tables without any change marker, as legacy applications keep them (StockSchemasTest: cursor none, every poll reads them
-- whole): a stock list copied one way to the CRM, and branches synced two way with the CRM's offices
-- suppliers, with a change marker MariaDB keeps: copied one way to the CRM, where a supplier deleted here is archived
CREATE TABLE suppliers (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL,
    modified TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3));
INSERT INTO suppliers (id, name) VALUES (1, 'Acme'), (2, 'Globex'), (3, 'Initech'), (4, 'Umbrella');
-- deliveries expected, without change marker, empty until a test fills it (pair "arrivals")
CREATE TABLE arrivals (sku VARCHAR(20) PRIMARY KEY, qty INT NOT NULL);
CREATE TABLE stock_items (sku VARCHAR(20) PRIMARY KEY, title VARCHAR(200) NOT NULL, qty INT NOT NULL);
INSERT INTO stock_items SELECT CONCAT('SKU-', LPAD(seq, 3, '0')), CONCAT('Item ', seq), seq FROM seq_1_to_30;
CREATE TABLE branches (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE, city VARCHAR(100));
CREATE TABLE branches_writes (n BIGINT NOT NULL);
INSERT INTO branches_writes VALUES (0);
CREATE TRIGGER branches_inserted AFTER INSERT ON branches FOR EACH ROW UPDATE branches_writes SET n = n + 1;
CREATE TRIGGER branches_updated AFTER UPDATE ON branches FOR EACH ROW UPDATE branches_writes SET n = n + 1;
INSERT INTO branches (name, city) VALUES ('West', 'Lisbon'), ('Central', 'Prague');
UPDATE branches_writes SET n = 0;
