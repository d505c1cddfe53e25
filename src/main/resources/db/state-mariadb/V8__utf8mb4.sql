-- Every character, and ids compared as written: a database whose default character set is not utf8mb4 (latin1 or utf8mb3,
-- the defaults of many MariaDB servers) refused an emoji in a dead letter's record, and that poll failed again and again;
-- its default collation (case-insensitive) took two ids that differ in case for one key. H2 and PostgreSQL had neither
-- problem. V8 is MariaDB's alone: the next script of every database is V9.
ALTER TABLE pair_state CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE links CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE dead_letters CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE pending_changes CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE conflicts CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE parked CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE webhook_inbox CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE record_history CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
ALTER TABLE record_origins CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
