-- Learners are anonymous: an id in a signed cookie, and a display name if they give one.
CREATE TABLE learners (
  id TEXT PRIMARY KEY,
  display_name TEXT,
  created_at TEXT NOT NULL
);

-- A learner's lab sessions: queued until an agent has room, running on one agent, then ended.
CREATE TABLE lab_sessions (
  id TEXT PRIMARY KEY,
  learner_id TEXT NOT NULL REFERENCES learners (id),
  lab TEXT NOT NULL,
  host_count INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ended')),
  agent_id TEXT,
  agent_session_id TEXT,
  hosts TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  expires_at TEXT,
  ended_at TEXT,
  ended_reason TEXT CHECK (ended_reason IN ('deleted', 'expired', 'lost'))
);
CREATE INDEX lab_sessions_by_learner ON lab_sessions (learner_id, lab, state);

-- What a learner completed, step by step; kept after their sessions end.
CREATE TABLE progress (
  learner_id TEXT NOT NULL REFERENCES learners (id),
  lab TEXT NOT NULL,
  step TEXT NOT NULL,
  completed_at TEXT NOT NULL,
  session_id TEXT REFERENCES lab_sessions (id),
  PRIMARY KEY (learner_id, lab, step)
);
