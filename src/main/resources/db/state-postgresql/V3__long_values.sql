-- Bases and conflict values as long as the records they hold (they were cut off at 4,000 characters).
ALTER TABLE links ALTER COLUMN base TYPE TEXT;
ALTER TABLE links ALTER COLUMN next_base TYPE TEXT;
ALTER TABLE conflicts ALTER COLUMN base TYPE TEXT;
ALTER TABLE conflicts ALTER COLUMN a_values TYPE TEXT;
ALTER TABLE conflicts ALTER COLUMN b_values TYPE TEXT;
