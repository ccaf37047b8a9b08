-- Test fixture: a second migration, so the template holds more than one.
ALTER TABLE widgets ADD COLUMN colour text NOT NULL DEFAULT 'grey';
INSERT INTO widgets (name) VALUES ('seed');
