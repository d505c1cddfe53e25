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
