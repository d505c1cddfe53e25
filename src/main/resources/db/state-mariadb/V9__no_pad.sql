-- Ids compared as written, trailing spaces included: utf8mb4_bin (V8) is a PAD SPACE collation, so 'x' and 'x ' were one
-- key (one link for two records, and a link's id read back without the space its record has). H2 and PostgreSQL compare
-- VARCHAR as written. V9 is MariaDB's alone: the next script of every database is V10.
ALTER TABLE pair_state CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE links CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE dead_letters CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE pending_changes CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE conflicts CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE parked CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE webhook_inbox CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE record_history CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
ALTER TABLE record_origins CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;
