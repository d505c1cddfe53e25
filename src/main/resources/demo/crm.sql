-- The demo CRM (an embedded H2 database in PostgreSQL mode). Runs on every new connection,
-- so every statement is idempotent.
CREATE TABLE IF NOT EXISTS contacts (
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
CREATE INDEX IF NOT EXISTS contacts_updated ON contacts (updated_at, id);
CREATE TABLE IF NOT EXISTS tickets (
    helpdesk_id BIGINT PRIMARY KEY,
    title       VARCHAR(200) NOT NULL,
    priority    VARCHAR(10),
    is_open     BOOLEAN,
    opened_at   TIMESTAMP WITH TIME ZONE
);
MERGE INTO contacts KEY (id) SELECT x, 'Ada' || x, 'Lovelace', ' Ada' || x || '@Example.com ',
    CASE WHEN MOD(x, 3) = 0 THEN 'Inactive' ELSE 'Active' END, '10/12/1985', NULL,
    DATEADD('HOUR', x, TIMESTAMP '2024-03-31 01:30:00'), DATEADD('SECOND', x, TIMESTAMP '2024-01-01 00:00:00')
    FROM (SELECT "X" AS x FROM SYSTEM_RANGE(1, 20)) r WHERE NOT EXISTS (SELECT 1 FROM contacts);
