// A learner's live session for one lab: a Durable Object per learner and lab (named
// `<learner>/<lab>`), so starting, placing a queued session, extending and ending happen one at a
// time however many tabs ask, and an alarm at the expiry ends the session even when no page is
// open. D1 keeps the durable records it reads and writes. Expected failures come back as values:
// an exception would cross the RPC boundary as a bare error and reset the object.
import { DurableObject } from 'cloudflare:workers';
import type { Session } from '../../protocol/agent.ts';
import type { LabSession } from '../../protocol/control-plane.ts';
import type { ErrorCode } from '../../protocol/api.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { AgentClient, AgentUnreachable } from '../agents/agent-client';
import type { Bindings } from '../env';
import { agentSilenceLimitMs } from '../pool/agent-pool';

export interface LabSessionRow {
  id: string;
  learner_id: string;
  lab: string;
  host_count: number;
  state: LabSession['state'];
  agent_id: string | null;
  agent_session_id: string | null;
  hosts: string;
  created_at: string;
  expires_at: string | null;
  ended_reason: LabSession['endedReason'];
}

/** After its expiry, the agent is asked once more: an extension made elsewhere keeps it going. */
const expiryGraceMs = 5_000;

/** What a transition gives back: the session, or the code and message of why not. */
export type Outcome<T = LabSession> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export const labSessionObjectName = (learnerID: string, lab: string) => `${learnerID}/${lab}`;

export class LabSessionObject extends DurableObject<Bindings> {
  get #env(): Bindings {
    return this.env;
  }

  get #pool() {
    return this.env.POOL.get(this.env.POOL.idFromName('pool'));
  }

  /** The learner's current session for the lab (queued or running), or a new one. */
  start(learnerID: string, lab: string, hostCount: number): Promise<Outcome> {
    return this.#serialized(async () => {
      const current = await this.#env.DB.prepare("SELECT * FROM lab_sessions WHERE learner_id = ? AND lab = ? AND state != 'ended' ORDER BY created_at DESC LIMIT 1")
        .bind(learnerID, lab)
        .first<LabSessionRow>();
      if (current) {
        const session = await this.#refresh(current);
        if (session.state !== 'ended') return session;
      }
      const row: LabSessionRow = {
        id: crypto.randomUUID(),
        learner_id: learnerID,
        lab,
        host_count: hostCount,
        state: 'queued',
        agent_id: null,
        agent_session_id: null,
        hosts: '[]',
        created_at: new Date().toISOString(),
        expires_at: null,
        ended_reason: null,
      };
      await this.#env.DB.prepare("INSERT INTO lab_sessions (id, learner_id, lab, host_count, state, created_at) VALUES (?, ?, ?, ?, 'queued', ?)")
        .bind(row.id, learnerID, lab, hostCount, row.created_at)
        .run();
      await this.ctx.storage.put('id', row.id);
      return this.#refresh(row);
    });
  }

  /** The session moved along: a queued one tries for an agent, a running one asks its agent. */
  refresh(id: string): Promise<Outcome> {
    return this.#serialized(async () => this.#refresh(await this.#row(id)));
  }

  extend(id: string): Promise<Outcome> {
    return this.#serialized(async () => {
      const row = await this.#row(id);
      if (row.state !== 'running') throw new APIFailure('session_not_running', 'Only a running session can be extended.');
      return this.#askAgent(row, (agent) => agent.extend(row.agent_session_id!));
    });
  }

  end(id: string): Promise<Outcome> {
    return this.#serialized(async () => {
      const row = await this.#row(id);
      if (row.state === 'queued') await this.#pool.leave(row.id);
      if (row.state === 'running') {
        const agent = await this.#agentOf(row);
        await agent?.deleteSession(row.agent_session_id!).catch(() => undefined); // an agent that is gone has ended it too
        await this.#pool.release(row.agent_id!, row.host_count);
      }
      return row.state === 'ended' ? view(row, null) : this.#end(row, 'deleted');
    });
  }

  /** Where a host of the running session is served on its agent (terminal, ports). */
  async hostTarget(id: string, host: string): Promise<Outcome<{ agent: { id: string; url: string }; path: string }>> {
    return outcome(async () => {
      const row = await this.#row(id);
      if (row.state !== 'running' || !(JSON.parse(row.hosts) as string[]).includes(host)) {
        throw new APIFailure('host_not_found', `Session ${id} has no running host "${host}".`);
      }
      const agent = await this.#agentOf(row);
      if (!agent) throw new APIFailure('host_not_found', `The sandbox host of session ${id} is gone.`);
      return { agent: { id: agent.id, url: agent.url }, path: `/sessions/${row.agent_session_id}/hosts/${host}` };
    });
  }

  /** The session's expiry: end it unless its agent still holds it (then wait for the new expiry). */
  override async alarm(): Promise<void> {
    const id = await this.ctx.storage.get<string>('id');
    if (!id) return;
    const result = await this.refresh(id);
    // Still running without a new expiry (its agent missed the call): ask again in a minute.
    if (result.ok && result.value.state === 'running' && (await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 60_000);
  }

  /** One transition at a time: a second request waits for the first to finish, agent calls included. */
  #serialized(transition: () => Promise<LabSession>): Promise<Outcome> {
    return this.ctx.blockConcurrencyWhile(() => outcome(transition));
  }

  async #row(id: string): Promise<LabSessionRow> {
    const row = await this.#env.DB.prepare('SELECT * FROM lab_sessions WHERE id = ?').bind(id).first<LabSessionRow>();
    if (!row) throw new APIFailure('session_not_found', `No session ${id}.`);
    return row;
  }

  /** Moves the session along: a queued one tries for an agent, a running one asks its agent. */
  async #refresh(row: LabSessionRow): Promise<LabSession> {
    if (row.state === 'queued') return this.#assign(row);
    if (row.state === 'running') return this.#askAgent(row, (agent) => agent.session(row.agent_session_id!));
    return view(row, null);
  }

  async #assign(row: LabSessionRow): Promise<LabSession> {
    // Each refusal (full, unreachable) takes that agent out of the running; then the learner waits.
    for (let attempt = 0; attempt < 5; attempt++) {
      const reservation = await this.#pool.reserve(row.id, row.host_count);
      if ('position' in reservation) return view(row, reservation.position);
      const agent = new AgentClient(reservation.agent, this.#env.AGENT_SECRET);
      try {
        const session = await agent.createSession(row.lab);
        if (session === 'full') {
          await this.#pool.agentFull(agent.id);
          continue;
        }
        await this.#env.DB.prepare("UPDATE lab_sessions SET state = 'running', agent_id = ?, agent_session_id = ? WHERE id = ?").bind(agent.id, session.id, row.id).run();
        return this.#running({ ...row, state: 'running', agent_id: agent.id, agent_session_id: session.id }, session);
      } catch (error) {
        if (!(error instanceof AgentUnreachable)) throw error;
        console.log(JSON.stringify({ event: 'agent.unreachable', agent: agent.id, error: error.message }));
        await this.#pool.release(agent.id, row.host_count);
        await this.#pool.agentUnreachable(agent.id);
      }
    }
    return view(row, 1);
  }

  /** The session's agent, while it is in the pool and reporting. */
  async #agentOf(row: LabSessionRow): Promise<AgentClient | undefined> {
    const agent = (await this.#pool.agents()).find((a) => a.id === row.agent_id && Date.now() - a.lastSeen <= agentSilenceLimitMs);
    return agent ? new AgentClient(agent, this.#env.AGENT_SECRET) : undefined;
  }

  async #running(row: LabSessionRow, session: Session): Promise<LabSession> {
    const hosts = JSON.stringify(session.hosts.map((host) => host.name));
    await this.#env.DB.prepare('UPDATE lab_sessions SET hosts = ?, expires_at = ? WHERE id = ?').bind(hosts, session.expiresAt, row.id).run();
    await this.ctx.storage.setAlarm(Date.parse(session.expiresAt) + expiryGraceMs);
    return view({ ...row, hosts, expires_at: session.expiresAt }, null);
  }

  /**
   * A running session as its agent reports it: ended when the agent no longer holds it (time limit,
   * idling) or has left the pool; unchanged when the agent, still reporting, misses one call.
   */
  async #askAgent(row: LabSessionRow, ask: (agent: AgentClient) => Promise<Session | undefined>): Promise<LabSession> {
    const agent = await this.#agentOf(row);
    if (!agent) return this.#end(row, 'lost');
    try {
      const session = await ask(agent);
      return session ? this.#running(row, session) : this.#end(row, 'expired');
    } catch (error) {
      if (!(error instanceof AgentUnreachable)) throw error;
      await this.#pool.agentUnreachable(agent.id);
      return view(row, null);
    }
  }

  async #end(row: LabSessionRow, reason: NonNullable<LabSession['endedReason']>): Promise<LabSession> {
    const endedAt = new Date().toISOString();
    await this.#env.DB.prepare("UPDATE lab_sessions SET state = 'ended', ended_at = ?, ended_reason = ? WHERE id = ?").bind(endedAt, reason, row.id).run();
    await this.ctx.storage.deleteAlarm();
    return view({ ...row, state: 'ended', ended_reason: reason }, null);
  }
}

/** Runs `work`, turning an expected failure (APIFailure) into a value; bugs still throw. */
async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof APIFailure) return { ok: false, code: error.code, message: error.message };
    throw error;
  }
}

export function view(row: LabSessionRow, queuePosition: number | null): LabSession {
  return {
    id: row.id,
    lab: row.lab,
    state: row.state,
    queuePosition: row.state === 'queued' ? queuePosition : null,
    hosts: row.state === 'running' ? (JSON.parse(row.hosts) as string[]) : [],
    createdAt: row.created_at,
    expiresAt: row.state === 'running' ? row.expires_at : null,
    endedReason: row.state === 'ended' ? row.ended_reason : null,
  };
}
