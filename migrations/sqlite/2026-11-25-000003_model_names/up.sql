-- A name the owner gives a model ("Q3 refresh, with the lift test"); none until given.
ALTER TABLE models ADD COLUMN name TEXT;
