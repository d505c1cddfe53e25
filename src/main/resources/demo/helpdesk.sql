-- The demo help desk (an embedded H2 database in MariaDB mode). Runs on every new connection,
-- so every statement is idempotent.
CREATE TABLE IF NOT EXISTS customers (
    crm_id      BIGINT PRIMARY KEY,
    full_name   VARCHAR(200),
    email       VARCHAR(200) NOT NULL,
    active      TINYINT,
    birthday    DATE,
    tier        VARCHAR(20),
    created_utc DATETIME
);
CREATE TABLE IF NOT EXISTS tickets (
    id         BIGINT PRIMARY KEY,
    subject    VARCHAR(200),
    priority   INT,
    status     VARCHAR(10),
    opened_at  DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);
MERGE INTO tickets KEY (id) SELECT x, 'Printer on fire #' || x, MOD(x, 3) + 1,
    CASE WHEN MOD(x, 2) = 0 THEN 'closed' ELSE 'open' END,
    DATEADD('HOUR', x, TIMESTAMP '2024-06-01 08:00:00'), DATEADD('HOUR', x, TIMESTAMP '2024-06-01 08:00:00')
    FROM (SELECT "X" AS x FROM SYSTEM_RANGE(1, 10)) r WHERE NOT EXISTS (SELECT 1 FROM tickets);
