-- How many of a step's hints were open when the learner passed it. Passes recorded before hints were
-- counted read as none.
ALTER TABLE progress ADD COLUMN hints_used INTEGER NOT NULL DEFAULT 0;
