// A lab session as D1 keeps it (the durable record), and what the learner's page is shown of it.
import type { LabSession } from '../../protocol/control-plane.ts';

export interface LabSessionRow {
  id: string;
  learner_id: string;
  lab: string;
  host_count: number;
  state: LabSession['state'];
  agent_id: string | null;
  /** The start of the agent that holds the session (its heartbeat's `bootID`). */
  agent_boot_id: string | null;
  agent_session_id: string | null;
  hosts: string;
  created_at: string;
  expires_at: string | null;
  ended_reason: LabSession['endedReason'];
}

export function view(row: LabSessionRow, queuePosition: number | null): LabSession {
  return {
    id: row.id,
    lab: row.lab,
    state: row.state === 'queued' && row.agent_id !== null ? 'starting' : row.state,
    queuePosition: row.state === 'queued' && row.agent_id === null ? queuePosition : null,
    hosts: row.state === 'running' ? (JSON.parse(row.hosts) as string[]) : [],
    createdAt: row.created_at,
    expiresAt: row.state === 'running' ? row.expires_at : null,
    endedReason: row.state === 'ended' ? row.ended_reason : null,
  };
}
