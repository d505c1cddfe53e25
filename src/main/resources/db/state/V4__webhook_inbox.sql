-- Webhook deliveries, stored before the sender is answered: a delivery is applied once (a redelivery finds its
-- id here), and one stored but not applied yet (a crash, a target that was down) is applied by the pair's next poll.
CREATE TABLE webhook_inbox (
    pair        VARCHAR(100) NOT NULL,
    side        VARCHAR(100) NOT NULL,
    delivery_id VARCHAR(200) NOT NULL,
    record_id   VARCHAR(200) NOT NULL,
    received_at BIGINT       NOT NULL,
    applied_at  BIGINT,
    PRIMARY KEY (pair, side, delivery_id, record_id)
);
CREATE INDEX webhook_inbox_pending ON webhook_inbox (pair, side, applied_at);
