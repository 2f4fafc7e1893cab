// A learner's lab sessions: queued in the pool until an agent has room, then running on that agent,
// then ended. D1 holds the record; the agent is asked whenever the learner looks, so what the
// learner sees is what the agent holds.
import type { Session } from '../../protocol/agent.ts';
import type { LabSession } from '../../protocol/control-plane.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { AgentClient, AgentUnreachable } from '../agents/agent-client';
import type { Bindings } from '../env';
import { agentSilenceLimitMs } from '../pool/host-pool';

interface LabSessionRow {
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

export class LabSessions {
  #env: Bindings;

  constructor(env: Bindings) {
    this.#env = env;
  }

  get #pool() {
    return this.#env.POOL.get(this.#env.POOL.idFromName('pool'));
  }

  /** The learner's queued or running session for this lab, if any (a page reload finds it again). */
  async current(learnerID: string, lab: string): Promise<LabSession | null> {
    const row = await this.#currentRow(learnerID, lab);
    if (!row) return null;
    const session = await this.#refresh(row);
    return session.state === 'ended' ? null : session;
  }

  /** The learner's session for this lab: the one already queued or running, or a new one. */
  async start(learnerID: string, lab: string, hostCount: number): Promise<LabSession> {
    const current = await this.#currentRow(learnerID, lab);
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
    await this.#env.DB.prepare('INSERT INTO lab_sessions (id, learner_id, lab, host_count, state, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .bind(row.id, row.learner_id, row.lab, row.host_count, row.state, row.created_at)
      .run();
    return this.#refresh(row);
  }

  /** The learner's session; another learner's is as good as nonexistent. */
  async view(learnerID: string, id: string): Promise<LabSession> {
    return this.#refresh(await this.#own(learnerID, id));
  }

  async extend(learnerID: string, id: string): Promise<LabSession> {
    const row = await this.#own(learnerID, id);
    if (row.state !== 'running') throw new APIFailure('session_not_running', 'Only a running session can be extended.');
    return this.#askAgent(row, (agent) => agent.extend(row.agent_session_id!));
  }

  async end(learnerID: string, id: string): Promise<LabSession> {
    const row = await this.#own(learnerID, id);
    if (row.state === 'queued') await this.#pool.leave(row.id);
    if (row.state === 'running') {
      const agent = await this.#agentOf(row);
      await agent?.deleteSession(row.agent_session_id!).catch(() => undefined); // an agent that is gone has ended it too
      await this.#pool.release(row.agent_id!, row.host_count);
    }
    return row.state === 'ended' ? view(row, null) : this.#end(row, 'deleted');
  }

  /** Where a host of the learner's running session is served on its agent (terminal, ports). */
  async hostTarget(learnerID: string, id: string, host: string): Promise<{ agent: AgentClient; path: string }> {
    const row = await this.#own(learnerID, id);
    if (row.state !== 'running' || !(JSON.parse(row.hosts) as string[]).includes(host)) {
      throw new APIFailure('host_not_found', `Session ${id} has no running host "${host}".`);
    }
    const agent = await this.#agentOf(row);
    if (!agent) throw new APIFailure('host_not_found', `The sandbox host of session ${id} is gone.`);
    return { agent, path: `/sessions/${row.agent_session_id}/hosts/${host}` };
  }

  #currentRow(learnerID: string, lab: string) {
    return this.#env.DB.prepare("SELECT * FROM lab_sessions WHERE learner_id = ? AND lab = ? AND state != 'ended' ORDER BY created_at DESC LIMIT 1")
      .bind(learnerID, lab)
      .first<LabSessionRow>();
  }

  async #own(learnerID: string, id: string): Promise<LabSessionRow> {
    const row = await this.#env.DB.prepare('SELECT * FROM lab_sessions WHERE id = ? AND learner_id = ?').bind(id, learnerID).first<LabSessionRow>();
    if (!row) throw new APIFailure('session_not_found', `You have no session ${id}.`);
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
    return view({ ...row, state: 'ended', ended_reason: reason }, null);
  }
}

function view(row: LabSessionRow, queuePosition: number | null): LabSession {
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
