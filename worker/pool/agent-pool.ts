// The pool of sandbox-host agents and the line of learners waiting for room: one Durable Object for
// the whole control plane, so assignment decisions are serialized and never overshoot an agent.
import { DurableObject } from 'cloudflare:workers';
import type { AgentHeartbeat } from '../../protocol/control-plane.ts';
import type { Bindings } from '../env';

/** An agent that hasn't reported for this long gets no new sessions. */
export const agentSilenceLimitMs = 15_000;
/** A queued learner who hasn't asked for their place for this long has left the line. */
export const queueAbandonMs = 30_000;

export interface PoolAgent {
  id: string;
  url: string;
  capacity: number;
  used: number;
  warm: number;
  lastSeen: number;
  /** Whether it may get new sessions now. */
  available: boolean;
}

export type Reservation = { agent: { id: string; url: string } } | { position: number };

export class AgentPool extends DurableObject<Bindings> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS agents (
      id TEXT PRIMARY KEY, url TEXT NOT NULL, capacity INTEGER NOT NULL, used INTEGER NOT NULL,
      warm INTEGER NOT NULL, last_seen INTEGER NOT NULL, failed_at INTEGER)`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT UNIQUE NOT NULL,
      host_count INTEGER NOT NULL, last_asked INTEGER NOT NULL)`);
  }

  /** An agent's report: it is the authority on its own load. */
  heartbeat(id: string, report: AgentHeartbeat, now = Date.now()): void {
    this.#sql.exec(
      `INSERT INTO agents (id, url, capacity, used, warm, last_seen, failed_at) VALUES (?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, capacity = excluded.capacity, used = excluded.used,
         warm = excluded.warm, last_seen = excluded.last_seen, failed_at = NULL`,
      id,
      report.url,
      report.capacity,
      report.used - report.warm, // warm hosts are there to be handed out
      report.warm,
      now,
    );
  }

  /**
   * An agent for the session if it is first in line and one has room; otherwise its place in line.
   * Strictly first come, first served: nobody overtakes a learner who waits for more hosts.
   */
  reserve(sessionID: string, hostCount: number, now = Date.now()): Reservation {
    this.#sql.exec('DELETE FROM queue WHERE last_asked < ?', now - queueAbandonMs);
    this.#sql.exec(
      `INSERT INTO queue (session_id, host_count, last_asked) VALUES (?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET last_asked = excluded.last_asked`,
      sessionID,
      hostCount,
      now,
    );
    const ahead = this.#sql.exec<{ ahead: number }>('SELECT COUNT(*) AS ahead FROM queue WHERE seq < (SELECT seq FROM queue WHERE session_id = ?)', sessionID).one().ahead;
    if (ahead > 0) return { position: ahead + 1 };
    const agent = this.agents(now)
      .filter((a) => a.available && a.capacity - a.used >= hostCount)
      .sort((a, b) => b.capacity - b.used - (a.capacity - a.used) || a.id.localeCompare(b.id))[0];
    if (!agent) return { position: 1 };
    this.#sql.exec('DELETE FROM queue WHERE session_id = ?', sessionID);
    this.#sql.exec('UPDATE agents SET used = used + ? WHERE id = ?', hostCount, agent.id);
    return { agent: { id: agent.id, url: agent.url } };
  }

  /** The session left the line (ended while queued). */
  leave(sessionID: string): void {
    this.#sql.exec('DELETE FROM queue WHERE session_id = ?', sessionID);
  }

  /** Hosts freed on an agent (a session ended, or its creation failed). */
  release(agentID: string, hostCount: number): void {
    this.#sql.exec('UPDATE agents SET used = MAX(0, used - ?) WHERE id = ?', hostCount, agentID);
  }

  /** The agent answered that it is full: believe it until its next report. */
  agentFull(agentID: string): void {
    this.#sql.exec('UPDATE agents SET used = capacity WHERE id = ?', agentID);
  }

  /** The agent didn't answer: no new sessions go to it until it reports again. */
  agentUnreachable(agentID: string, now = Date.now()): void {
    this.#sql.exec('UPDATE agents SET failed_at = ? WHERE id = ?', now, agentID);
  }

  agents(now = Date.now()): PoolAgent[] {
    return this.#sql
      .exec<{ id: string; url: string; capacity: number; used: number; warm: number; last_seen: number; failed_at: number | null }>('SELECT * FROM agents ORDER BY id')
      .toArray()
      .map((row) => ({
        id: row.id,
        url: row.url,
        capacity: row.capacity,
        used: row.used,
        warm: row.warm,
        lastSeen: row.last_seen,
        available: row.failed_at === null && now - row.last_seen <= agentSilenceLimitMs,
      }));
  }
}
