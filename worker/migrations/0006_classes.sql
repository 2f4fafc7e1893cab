-- Classes (turmas): an instructor's class, made without an account. The instructor's secret is
-- never stored, only its SHA-256; learners find the class by its short join code.
CREATE TABLE classes (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  -- The class's labs, a JSON array of lab ids in the order the grid shows them.
  labs TEXT NOT NULL,
  join_code TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  starts_at TEXT,
  ends_at TEXT,
  -- When it ended: its instructor ended it, or its end time came.
  ended_at TEXT,
  created_at TEXT NOT NULL
);

-- Who joined a class. `member_id` is the learner's id in this class only: nothing the instructor
-- sees links a learner across classes. A learner is in one class at a time (the one without
-- `left_at`); a class keeps the rows of those who left, for its grid and exports.
CREATE TABLE class_members (
  class_id TEXT NOT NULL REFERENCES classes (id),
  member_id TEXT NOT NULL,
  learner_id TEXT NOT NULL REFERENCES learners (id),
  -- Joining order: a learner without a name is "Aprendiz <number>" / "Learner <number>".
  number INTEGER NOT NULL,
  display_name TEXT,
  joined_at TEXT NOT NULL,
  left_at TEXT,
  help_requested INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (class_id, member_id),
  UNIQUE (class_id, learner_id),
  UNIQUE (class_id, number)
);
CREATE UNIQUE INDEX class_members_current ON class_members (learner_id) WHERE left_at IS NULL;

-- The grid: each member's state on each step of the class's labs, as the agents' checks last saw it.
CREATE TABLE class_cells (
  class_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  lab TEXT NOT NULL,
  step TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('done', 'working')),
  attempts INTEGER NOT NULL,
  hints_used INTEGER NOT NULL,
  since TEXT,
  passed_at TEXT,
  -- JSON {code, values}, or NULL.
  last_reason TEXT,
  PRIMARY KEY (class_id, member_id, lab, step),
  FOREIGN KEY (class_id, member_id) REFERENCES class_members (class_id, member_id)
);

-- Each member's timeline: steps reached, failed checks, passes, finished commands, help asked.
CREATE TABLE class_events (
  class_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  at TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('reached', 'failed', 'passed', 'command', 'help')),
  lab TEXT,
  step TEXT,
  reason TEXT,
  command TEXT,
  host TEXT,
  exit_code INTEGER,
  requested INTEGER,
  FOREIGN KEY (class_id, member_id) REFERENCES class_members (class_id, member_id)
);
CREATE INDEX class_events_by_member ON class_events (class_id, member_id, at);
