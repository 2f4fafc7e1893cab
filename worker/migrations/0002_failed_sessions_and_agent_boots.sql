-- Sessions can end `failed` (no agent could make their sandboxes), and each running session records
-- the start of its agent that holds it (`agent_boot_id`): after a restart the agent holds none of
-- them. SQLite can't change a CHECK in place, so the table is rebuilt. `progress` points at it: its
-- rows wait in a plain table meanwhile, since dropping a table that rows still point at fails.
CREATE TABLE progress_aside AS SELECT * FROM progress;
DELETE FROM progress;

CREATE TABLE lab_sessions_rebuilt (
  id TEXT PRIMARY KEY,
  learner_id TEXT NOT NULL REFERENCES learners (id),
  lab TEXT NOT NULL,
  host_count INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'ended')),
  agent_id TEXT,
  agent_boot_id TEXT,
  agent_session_id TEXT,
  hosts TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  expires_at TEXT,
  ended_at TEXT,
  ended_reason TEXT CHECK (ended_reason IN ('deleted', 'expired', 'lost', 'failed'))
);
INSERT INTO lab_sessions_rebuilt (id, learner_id, lab, host_count, state, agent_id, agent_session_id, hosts, created_at, expires_at, ended_at, ended_reason)
  SELECT id, learner_id, lab, host_count, state, agent_id, agent_session_id, hosts, created_at, expires_at, ended_at, ended_reason FROM lab_sessions;
DROP TABLE lab_sessions;
ALTER TABLE lab_sessions_rebuilt RENAME TO lab_sessions;
CREATE INDEX lab_sessions_by_learner ON lab_sessions (learner_id, lab, state);
-- The sessions on an agent that just restarted, found at once.
CREATE INDEX lab_sessions_by_agent ON lab_sessions (agent_id, state);

INSERT INTO progress SELECT * FROM progress_aside;
DROP TABLE progress_aside;
