-- How many checks found a step not done after the learner acted on it, before it passed: the
-- instructor's "attempts".
ALTER TABLE progress ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
