// A learner's live session for one lab: a Durable Object per learner and lab (named
// `<learner>/<lab>`), so starting, placing a queued session, extending and ending happen one at a
// time however many tabs ask, and an alarm at the expiry ends the session even when no page is
// open. D1 keeps the durable records it reads and writes. Expected failures come back as values:
// an exception would cross the RPC boundary as a bare error and reset the object.
import { DurableObject } from 'cloudflare:workers';
import type { Session } from '../../protocol/agent.ts';
import type { LabSession } from '../../protocol/control-plane.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import type { Outcome as SharedOutcome } from '../../protocol/outcome.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { agentCallTimeoutMs, AgentClient, type AgentAnswer, type AgentFailure } from '../agents/agent-client';
import type { Bindings } from '../env';
import { view, type LabSessionRow } from './lab-session-row';
import { pushPresence } from '../classes/class-lifecycle';
import { agentSilenceLimitMs, type PoolAgent } from '../pool/agent-pool';


/** After its expiry, the agent is asked once more: an extension made elsewhere keeps it going. */
const expiryGraceMs = 5_000;
/**
 * How long a session waits in line while no agent reports at all: long enough for an agent that is
 * starting or restarting to send its first heartbeat (one every 5 s), short of an endless wait.
 */
export const agentArrivalGraceMs = 2 * agentSilenceLimitMs;
/** Agents tried for one placement before the session gives up on them. */
const placementAttempts = 5;

/** What a transition gives back: the session, or the code and message of why not. */
export type Outcome<T = LabSession> = SharedOutcome<T>;

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
        agent_boot_id: null,
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
      // A starting session's room goes back at once; its agent removes what it made when it next
      // reports (the control plane no longer knows the key).
      if (row.state === 'queued' && row.agent_id !== null) await this.#pool.release(row.agent_id, row.host_count);
      if (row.state === 'running') {
        const agent = await this.#agentOf(row);
        await agent?.client.deleteSession(row.agent_session_id!); // whatever it answers: an agent that is gone has ended it too
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
      return { agent: { id: agent.client.id, url: agent.client.url }, path: `/sessions/${row.agent_session_id}/hosts/${host}` };
    });
  }

  /** The lab's steps checked now on the running session's agent (the page's Check button). */
  check(id: string): Promise<Outcome<StepProgress[]>> {
    return outcome(async () => {
      const row = await this.#row(id);
      if (row.state !== 'running') throw new APIFailure('session_not_running', 'Only a running session can be checked.');
      const agent = await this.#agentOf(row);
      if (!agent) throw new APIFailure('session_not_running', `The sandbox hosts of session ${id} are gone.`);
      const answer = await agent.client.check(row.agent_session_id!);
      if (!answer.ok) throw new APIFailure('agent_unavailable', `The sandbox host could not check the session now; try again.`);
      if (!answer.value) throw new APIFailure('session_not_running', `The sandbox host no longer holds session ${id}.`);
      return answer.value;
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

  /**
   * Places a queued session, or decides it waits or fails. A line is right while agents that can
   * make sandboxes are merely full: sessions end and free their room. It is wrong when none can:
   * every agent reports a problem or failed a call since its last report (they may not recover
   * soon), or no agent has reported for longer than an agent takes to (re)start. Then the session
   * ends `failed` and the learner, told so, decides when to try again; nobody waits in an endless
   * line. The same holds once an agent failed this session: the learner is not put back in line,
   * where that agent, back at its next report, would be the first picked again.
   */
  async #assign(row: LabSessionRow): Promise<LabSession> {
    let failed = false;
    for (let attempt = 0; attempt < placementAttempts; attempt++) {
      let placed = row.agent_id !== null ? row : undefined;
      if (!placed) {
        const reservation = await this.#pool.reserve(row.id, row.host_count, labSessionObjectName(row.learner_id, row.lab));
        if (reservation.kind === 'unavailable') return this.#end(row, 'failed');
        if (reservation.kind === 'queued') {
          // The wait counts from the later of the learner's Start and the last agent's last report:
          // a learner long in line keeps their place while the agent restarts.
          const waitingSince = Math.max(Date.parse(row.created_at), reservation.lastReportAt ?? 0);
          const waitedForAgents = !reservation.agentsReporting && Date.now() - waitingSince > agentArrivalGraceMs;
          if (!failed && !waitedForAgents) return view(row, reservation.position);
          await this.#pool.leave(row.id);
          return this.#end(row, 'failed');
        }
        // Placed before the agent is asked: whatever happens to the call, the session belongs to that
        // agent, and every later refresh asks the same agent for the same key.
        placed = { ...row, agent_id: reservation.agent.id, agent_boot_id: reservation.agent.bootID };
        await this.#env.DB.prepare('UPDATE lab_sessions SET agent_id = ?, agent_boot_id = ? WHERE id = ?').bind(placed.agent_id, placed.agent_boot_id, row.id).run();
      }
      const agent = await this.#agentOf(placed);
      if (!agent) {
        // Its agent left the pool (silent, or restarted) before the session started: place it again.
        row = await this.#unplace(placed);
        continue;
      }
      const created = await agent.client.createSession(row.lab, row.id);
      if (created.ok) {
        const session = created.value;
        if (session === 'starting') return view(placed, null);
        const running = { ...placed, state: 'running' as const, agent_session_id: session.id };
        await this.#env.DB.prepare("UPDATE lab_sessions SET state = 'running', agent_session_id = ? WHERE id = ?").bind(running.agent_session_id, row.id).run();
        await pushPresence(this.#env, row.learner_id);
        return this.#running(running, session);
      }
      const { failure } = created;
      // A slow agent is not a lost one: the next refresh asks it again for the same session; one that
      // is really gone stops reporting and leaves the pool, and the session is placed again then.
      if (failure.kind === 'slow') {
        logAgentFailure(agent.client.id, row.id, failure);
        return view(placed, null);
      }
      if (failure.kind === 'refused' && failure.code === 'capacity_exhausted') {
        await this.#pool.agentFull(agent.client.id);
        row = await this.#unplace(placed);
        continue;
      }
      // It can't be reached, or it answered that it could not make the sandbox: out until its next report.
      logAgentFailure(agent.client.id, row.id, failure);
      row = await this.#unplace(placed);
      await this.#pool.takeOut(agent.client.id);
      failed = true;
    }
    // Only full answers (the agents' reports were behind): wait for room like any queued learner.
    if (!failed) return view(row, 1);
    await this.#pool.leave(row.id);
    return this.#end(row, 'failed');
  }

  /** The session goes back to waiting for an agent; the one it was placed on gets its room back. */
  async #unplace(row: LabSessionRow): Promise<LabSessionRow> {
    await this.#pool.release(row.agent_id!, row.host_count);
    await this.#env.DB.prepare('UPDATE lab_sessions SET agent_id = NULL, agent_boot_id = NULL WHERE id = ?').bind(row.id).run();
    return { ...row, agent_id: null, agent_boot_id: null };
  }


  /** The session's agent, while it is in the pool and reporting. */
  async #agentOf(row: LabSessionRow): Promise<{ client: AgentClient; pooled: PoolAgent } | undefined> {
    const pooled = (await this.#pool.agents()).find((a) => a.id === row.agent_id && a.reporting);
    return pooled ? { client: new AgentClient(pooled, this.#env.CONTROL_PLANE_KEY, agentCallTimeoutMs(this.#env)), pooled } : undefined;
  }

  async #running(row: LabSessionRow, session: Session): Promise<LabSession> {
    const hosts = JSON.stringify(session.hosts.map((host) => host.name));
    await this.#env.DB.prepare('UPDATE lab_sessions SET hosts = ?, expires_at = ? WHERE id = ?').bind(hosts, session.expiresAt, row.id).run();
    await this.ctx.storage.setAlarm(Date.parse(session.expiresAt) + expiryGraceMs);
    return view({ ...row, hosts, expires_at: session.expiresAt }, null);
  }

  /**
   * A running session as its agent reports it: ended when the agent no longer holds it (time limit,
   * idling; `lost` if the agent restarted since), has restarted or left the pool; unchanged when the
   * agent, still reporting, misses one call.
   */
  async #askAgent(row: LabSessionRow, ask: (agent: AgentClient) => Promise<AgentAnswer<Session | undefined>>): Promise<LabSession> {
    const agent = await this.#agentOf(row);
    if (!agent) return this.#end(row, 'lost');
    const answer = await ask(agent.client);
    if (!answer.ok) {
      if (answer.failure.kind === 'unreachable') await this.#pool.takeOut(agent.pooled.id);
      return view(row, null);
    }
    const restarted = row.agent_boot_id !== null && agent.pooled.bootID !== row.agent_boot_id;
    if (!answer.value) return this.#end(row, restarted ? 'lost' : 'expired');
    if (agent.pooled.bootID !== row.agent_boot_id) {
      // Held by the agent's present start: the session was placed as the agent started, before its first report.
      await this.#env.DB.prepare('UPDATE lab_sessions SET agent_boot_id = ? WHERE id = ?').bind(agent.pooled.bootID, row.id).run();
      row = { ...row, agent_boot_id: agent.pooled.bootID };
    }
    return this.#running(row, answer.value);
  }

  async #end(row: LabSessionRow, reason: NonNullable<LabSession['endedReason']>): Promise<LabSession> {
    const endedAt = new Date().toISOString();
    await this.#env.DB.prepare("UPDATE lab_sessions SET state = 'ended', ended_at = ?, ended_reason = ? WHERE id = ?").bind(endedAt, reason, row.id).run();
    await this.ctx.storage.deleteAlarm();
    if (row.state === 'running') await pushPresence(this.#env, row.learner_id);
    return view({ ...row, state: 'ended', ended_reason: reason }, null);
  }

}

/** An agent failed to make a session's sandbox: the operator reads why in the log, the learner never does. */
function logAgentFailure(agent: string, session: string, failure: AgentFailure): void {
  if (failure.kind === 'unreachable') console.log(JSON.stringify({ event: 'agent.unreachable', agent, session, reason: failure.message }));
  else if (failure.kind === 'slow') console.log(JSON.stringify({ event: 'agent.slow', agent, session, reason: failure.message }));
  else console.log(JSON.stringify({ event: 'agent.sandbox_failed', agent, session, code: failure.code, status: failure.status, reason: failure.message }));
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
