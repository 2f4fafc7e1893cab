-- How many times each session was extended: the extend route refuses past EXTENSIONS_PER_SESSION.
ALTER TABLE lab_sessions ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
