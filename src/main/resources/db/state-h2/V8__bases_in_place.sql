-- Bases and conflict values kept in the row, as the record history's entries are. H2 stores a large object of more
-- than a few hundred bytes apart from its row, and then every link read or moved costs several more look-ups and a
-- large object written and deleted: a record of a dozen fields is enough. CHARACTER VARYING holds up to 1,000,000
-- characters, in the row.
ALTER TABLE links ALTER COLUMN base SET DATA TYPE CHARACTER VARYING(1000000);
ALTER TABLE links ALTER COLUMN next_base SET DATA TYPE CHARACTER VARYING(1000000);
ALTER TABLE conflicts ALTER COLUMN base SET DATA TYPE CHARACTER VARYING(1000000);
ALTER TABLE conflicts ALTER COLUMN a_values SET DATA TYPE CHARACTER VARYING(1000000);
ALTER TABLE conflicts ALTER COLUMN b_values SET DATA TYPE CHARACTER VARYING(1000000);
