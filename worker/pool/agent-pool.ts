// The pool of sandbox-host agents and the line of learners waiting for room: one Durable Object for
// the whole control plane, so assignment decisions are serialized and never overshoot an agent.
import { DurableObject } from 'cloudflare:workers';
import type { AgentHeartbeat } from '../../protocol/control-plane.ts';
import type { Bindings } from '../env';
import { limitsOf } from '../limits/settings';

/** An agent that hasn't reported for this long gets no new sessions. */
export const agentSilenceLimitMs = 15_000;

export interface PoolAgent {
  id: string;
  url: string;
  /** The agent's present start (see the heartbeat's `bootID`). */
  bootID: string | null;
  /** Why it cannot make sandboxes now, as it reported; null when it can. */
  problem: string | null;
  capacity: number;
  used: number;
  warm: number;
  lastSeen: number;
  /** It reported within the silence limit. */
  reporting: boolean;
  /** Whether it may get new sessions now: reporting, no problem, and no failed call since its last report. */
  available: boolean;
}

/** The agent a session was placed on, with the start of it that holds the session. */
export interface ReservedAgent {
  id: string;
  url: string;
  bootID: string | null;
}

/**
 * `placed`: the session was first in line and an agent had room, now counted as used.
 * `queued`: it waits; `agentsReporting` false when no agent reports at all (none has started yet,
 * or all went silent), and `lastReportAt` when the last report of any agent came (null: never). `unavailable`: agents report, but none can make this session's sandboxes
 * (each has a problem, failed a call since its last report, or is too small for the lab); the
 * session left the line.
 */
export type Reservation = { kind: 'placed'; agent: ReservedAgent } | { kind: 'queued'; position: number; agentsReporting: boolean; lastReportAt: number | null } | { kind: 'unavailable' };

/** What a heartbeat changed that others must act on. */
export interface HeartbeatChange {
  /** The agent started again (a new boot id): it holds none of the sessions of its earlier start. */
  restarted: boolean;
}

type AgentRow = {
  id: string;
  url: string;
  boot_id: string | null;
  problem: string | null;
  capacity: number;
  used: number;
  warm: number;
  last_seen: number;
  failed_at: number | null;
};

const log = (event: Record<string, unknown>) => console.log(JSON.stringify(event));

export class AgentPool extends DurableObject<Bindings> {
  #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS agents (
      id TEXT PRIMARY KEY, url TEXT NOT NULL, capacity INTEGER NOT NULL, used INTEGER NOT NULL,
      warm INTEGER NOT NULL, last_seen INTEGER NOT NULL, failed_at INTEGER, boot_id TEXT, problem TEXT)`);
    // A pool made before agents reported their boot and problems gains the columns.
    const columns = new Set(this.#sql.exec<{ name: string }>('PRAGMA table_info(agents)').toArray().map((column) => column.name));
    for (const column of ['boot_id', 'problem']) if (!columns.has(column)) this.#sql.exec(`ALTER TABLE agents ADD COLUMN ${column} TEXT`);
    this.#sql.exec(`CREATE TABLE IF NOT EXISTS queue (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT UNIQUE NOT NULL,
      host_count INTEGER NOT NULL, last_asked INTEGER NOT NULL, owner TEXT)`);
    const queueColumns = new Set(this.#sql.exec<{ name: string }>('PRAGMA table_info(queue)').toArray().map((column) => column.name));
    if (!queueColumns.has('owner')) this.#sql.exec('ALTER TABLE queue ADD COLUMN owner TEXT');
  }

  /**
   * An agent's report: it is the authority on its own load, and a report clears a failed call.
   * Its problems are logged as they appear and clear, not at every report.
   */
  heartbeat(id: string, report: AgentHeartbeat, now = Date.now()): HeartbeatChange {
    const previous = this.#sql.exec<Pick<AgentRow, 'boot_id' | 'problem'>>('SELECT boot_id, problem FROM agents WHERE id = ?', id).toArray()[0];
    this.#sql.exec(
      `INSERT INTO agents (id, url, boot_id, problem, capacity, used, warm, last_seen, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (id) DO UPDATE SET url = excluded.url, boot_id = excluded.boot_id, problem = excluded.problem,
         capacity = excluded.capacity, used = excluded.used, warm = excluded.warm, last_seen = excluded.last_seen, failed_at = NULL`,
      id,
      report.url,
      report.bootID,
      report.problem,
      report.capacity,
      report.used - report.warm, // warm hosts are there to be handed out
      report.warm,
      now,
    );
    const restarted = previous?.boot_id != null && previous.boot_id !== report.bootID;
    if (restarted) log({ event: 'agent.restarted', agent: id, bootID: report.bootID });
    if (report.problem !== null && report.problem !== previous?.problem) log({ event: 'agent.problem', agent: id, problem: report.problem });
    if (report.problem === null && previous?.problem != null) log({ event: 'agent.recovered', agent: id });
    this.#wakeHead(now);
    return { restarted };
  }

  /**
   * An agent for the session if it is first in line and one has room; otherwise its place in line,
   * or `unavailable` when no reporting agent could ever take it as things stand.
   * Strictly first come, first served: nobody overtakes a learner who waits for more hosts.
   */
  async reserve(sessionID: string, hostCount: number, owner: string | null = null, now = Date.now()): Promise<Reservation> {
    const reservation = this.#reserve(sessionID, hostCount, owner, now);
    // Placed: whoever is first in line now may fit in the room that is left.
    if (reservation.kind === 'placed') this.#wakeHead(now);
    // A learner left in line: the alarm drops them once their page stops asking.
    if (reservation.kind === 'queued' && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(now + this.#queueAbandonMs);
    return reservation;
  }

  #reserve(sessionID: string, hostCount: number, owner: string | null, now: number): Reservation {
    const reporting = this.agents(now).filter((a) => a.reporting);
    const able = reporting.filter((a) => a.available && a.capacity >= hostCount);
    if (reporting.length > 0 && able.length === 0) {
      this.leave(sessionID);
      return { kind: 'unavailable' };
    }
    this.#sql.exec(
      `INSERT INTO queue (session_id, host_count, last_asked, owner) VALUES (?, ?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET last_asked = excluded.last_asked, owner = COALESCE(excluded.owner, owner)`,
      sessionID,
      hostCount,
      now,
      owner,
    );
    const agentsReporting = reporting.length > 0;
    const lastReportAt = this.#sql.exec<{ last: number | null }>('SELECT MAX(last_seen) AS last FROM agents').one().last;
    // Places whose pages stopped asking hold no one up, before the alarm even drops them.
    const ahead = this.#sql
      .exec<{ ahead: number }>('SELECT COUNT(*) AS ahead FROM queue WHERE last_asked >= ? AND seq < (SELECT seq FROM queue WHERE session_id = ?)', now - this.#queueAbandonMs, sessionID)
      .one().ahead;
    if (ahead > 0) return { kind: 'queued', position: ahead + 1, agentsReporting, lastReportAt };
    const agent = able.filter((a) => a.capacity - a.used >= hostCount).sort((a, b) => b.capacity - b.used - (a.capacity - a.used) || a.id.localeCompare(b.id))[0];
    if (!agent) return { kind: 'queued', position: 1, agentsReporting, lastReportAt };
    this.leave(sessionID);
    this.#sql.exec('UPDATE agents SET used = used + ? WHERE id = ?', hostCount, agent.id);
    return { kind: 'placed', agent: { id: agent.id, url: agent.url, bootID: agent.bootID } };
  }

  /** Of these sessions, the ones holding a place in line (their page still asks). */
  waiting(sessionIDs: string[], now = Date.now()): string[] {
    if (sessionIDs.length === 0) return [];
    return this.#sql
      .exec<{ session_id: string }>('SELECT session_id FROM queue WHERE last_asked >= ? AND session_id IN (SELECT value FROM json_each(?))', now - this.#queueAbandonMs, JSON.stringify(sessionIDs))
      .toArray()
      .map((row) => row.session_id);
  }

  /**
   * Drops the places of learners whose page stopped asking, and wakes again for the next place that
   * could go stale. Done here, not on every reserve(), so a busy line costs no sweep per request.
   */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const abandonMs = this.#queueAbandonMs;
    const dropped = this.#sql.exec('DELETE FROM queue WHERE last_asked < ?', now - abandonMs).rowsWritten;
    if (dropped > 0) log({ event: 'queue.abandoned', places: dropped });
    const { oldest } = this.#sql.exec<{ oldest: number | null }>('SELECT MIN(last_asked) AS oldest FROM queue').one();
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + abandonMs + 1);
  }

  get #queueAbandonMs(): number {
    return limitsOf(this.env).queueAbandonMs;
  }

  /** The session left the line (ended while queued). */
  leave(sessionID: string): void {
    this.#sql.exec('DELETE FROM queue WHERE session_id = ?', sessionID);
  }

  /** Hosts freed on an agent (a session ended, or its creation failed). */
  release(agentID: string, hostCount: number, now = Date.now()): void {
    this.#sql.exec('UPDATE agents SET used = MAX(0, used - ?) WHERE id = ?', hostCount, agentID);
    this.#wakeHead(now);
  }

  /**
   * Room appeared (a session ended, an agent reported): the learner first in line is placed now,
   * by their session's own object, instead of at their page's next poll; each placement wakes the
   * next. The page then finds its session starting, or waits on it, when it next asks. Not awaited:
   * the session's object calls back into this pool to reserve.
   */
  #wakeHead(now: number): void {
    const head = this.#sql.exec<{ session_id: string; host_count: number; owner: string | null }>('SELECT session_id, host_count, owner FROM queue WHERE last_asked >= ? ORDER BY seq LIMIT 1', now - this.#queueAbandonMs).toArray()[0];
    if (!head?.owner) return;
    const room = this.agents(now).some((a) => a.available && a.capacity - a.used >= head.host_count);
    if (!room) return;
    const session = this.env.SESSION.get(this.env.SESSION.idFromName(head.owner));
    this.ctx.waitUntil(
      session.refresh(head.session_id).then(
        () => undefined,
        (error: unknown) => log({ event: 'queue.wake_failed', session: head.session_id, error: String(error) }),
      ),
    );
  }

  /** The agent answered that it is full: believe it until its next report. */
  agentFull(agentID: string): void {
    this.#sql.exec('UPDATE agents SET used = capacity WHERE id = ?', agentID);
  }

  /** A call to the agent failed (no answer, or it could not make a sandbox): no new sessions go to it until it reports again. */
  takeOut(agentID: string, now = Date.now()): void {
    this.#sql.exec('UPDATE agents SET failed_at = ? WHERE id = ?', now, agentID);
  }

  agents(now = Date.now()): PoolAgent[] {
    return this.#sql
      .exec<AgentRow>('SELECT * FROM agents ORDER BY id')
      .toArray()
      .map((row) => {
        const reporting = now - row.last_seen <= agentSilenceLimitMs;
        return {
          id: row.id,
          url: row.url,
          bootID: row.boot_id,
          problem: row.problem,
          capacity: row.capacity,
          used: row.used,
          warm: row.warm,
          lastSeen: row.last_seen,
          reporting,
          available: reporting && row.failed_at === null && row.problem === null,
        };
      });
  }
}
