-- Bases and conflict values as long as the records they hold (they were cut off at 4,000 characters).
-- One script per database: H2, PostgreSQL and MariaDB change a column's type each in their own words.
ALTER TABLE links ALTER COLUMN base SET DATA TYPE CHARACTER LARGE OBJECT;
ALTER TABLE links ALTER COLUMN next_base SET DATA TYPE CHARACTER LARGE OBJECT;
ALTER TABLE conflicts ALTER COLUMN base SET DATA TYPE CHARACTER LARGE OBJECT;
ALTER TABLE conflicts ALTER COLUMN a_values SET DATA TYPE CHARACTER LARGE OBJECT;
ALTER TABLE conflicts ALTER COLUMN b_values SET DATA TYPE CHARACTER LARGE OBJECT;
