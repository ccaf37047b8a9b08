-- Test fixture: a migration PostgreSQL refuses.
CREATE TABLE half_made (id int);
CREATE TABLE half_made (id int);
