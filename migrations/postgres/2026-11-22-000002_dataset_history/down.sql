ALTER TABLE datasets DROP COLUMN history_count;
