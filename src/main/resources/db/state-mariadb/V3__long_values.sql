-- Bases and conflict values as long as the records they hold (they were cut off at 4,000 characters).
ALTER TABLE links MODIFY base LONGTEXT;
ALTER TABLE links MODIFY next_base LONGTEXT;
ALTER TABLE conflicts MODIFY base LONGTEXT;
ALTER TABLE conflicts MODIFY a_values LONGTEXT;
ALTER TABLE conflicts MODIFY b_values LONGTEXT;
