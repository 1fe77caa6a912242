-- Periods of media history (leading rows with an empty KPI) before the first modelled period.
ALTER TABLE datasets ADD COLUMN history_count BIGINT NOT NULL DEFAULT 0;
