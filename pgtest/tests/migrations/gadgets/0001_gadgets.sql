-- Test fixture: another schema, which must get a template of its own.
CREATE TABLE gadgets (id bigint PRIMARY KEY);
