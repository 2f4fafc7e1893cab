// A learner's lab sessions, as the routes reach them: every transition happens in the learner's
// Durable Object for that lab (lab-session-object.ts); this side checks ownership and turns
// outcomes into responses.
import type { LabSession } from '../../protocol/control-plane.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import { APIFailure } from '../../protocol/http-errors.ts';
import { agentCallTimeoutMs, AgentClient } from '../agents/agent-client';
import type { Bindings } from '../env';
import { limitsOf } from '../limits/settings';
import { labSessionObjectName, type Outcome } from './lab-session-object';
import type { LabSessionRow } from './lab-session-row';

export class LabSessions {
  #env: Bindings;

  constructor(env: Bindings) {
    this.#env = env;
  }

  #object(learnerID: string, lab: string) {
    return this.#env.SESSION.get(this.#env.SESSION.idFromName(labSessionObjectName(learnerID, lab)));
  }

  /** The learner's queued or running session for this lab, if any (a page reload finds it again). */
  async current(learnerID: string, lab: string): Promise<LabSession | null> {
    const row = await this.#env.DB.prepare("SELECT id FROM lab_sessions WHERE learner_id = ? AND lab = ? AND state != 'ended' ORDER BY created_at DESC LIMIT 1")
      .bind(learnerID, lab)
      .first<{ id: string }>();
    if (!row) return null;
    const session = unwrap(await this.#object(learnerID, lab).refresh(row.id));
    return session.state === 'ended' ? null : session;
  }

  /** The learner's session for this lab: the one already queued or running, or a new one. */
  async start(learnerID: string, lab: string, hostCount: number): Promise<LabSession> {
    return unwrap(await this.#object(learnerID, lab).start(learnerID, lab, hostCount));
  }

  /** The learner's session; another learner's is as good as nonexistent. */
  async view(learnerID: string, id: string): Promise<LabSession> {
    return unwrap(await (await this.#own(learnerID, id)).refresh(id));
  }

  /**
   * One more extension on the agent, within the session's allowance: counted before the call, so two
   * tabs extending at once cannot pass the cap; given back when the expiry did not move.
   */
  async extend(learnerID: string, id: string): Promise<LabSession> {
    const object = await this.#own(learnerID, id);
    const { extensionsPerSession: allowed } = limitsOf(this.#env);
    const counted = await this.#env.DB.prepare(
      "UPDATE lab_sessions SET extensions = extensions + 1 WHERE id = ? AND state = 'running' AND extensions < ? RETURNING expires_at",
    )
      .bind(id, allowed)
      .first<{ expires_at: string | null }>();
    if (!counted) {
      const row = await this.#env.DB.prepare('SELECT state FROM lab_sessions WHERE id = ?').bind(id).first<Pick<LabSessionRow, 'state'>>();
      if (row?.state !== 'running') throw new APIFailure('session_not_running', 'Only a running session can be extended.');
      throw new APIFailure('extension_limit', `Session ${id} has had its ${allowed} extensions; it ends at its time.`);
    }
    const result = await object.extend(id);
    if (!result.ok || result.value.expiresAt === counted.expires_at) {
      await this.#env.DB.prepare('UPDATE lab_sessions SET extensions = MAX(0, extensions - 1) WHERE id = ?').bind(id).run();
    }
    return unwrap(result);
  }

  /** The learner's running session's lab steps, checked now. */
  async check(learnerID: string, id: string): Promise<StepProgress[]> {
    return unwrap(await (await this.#own(learnerID, id)).check(id));
  }

  async end(learnerID: string, id: string): Promise<LabSession> {
    return unwrap(await (await this.#own(learnerID, id)).end(id));
  }

  /** Where a host of the learner's running session is served on its agent (terminal, ports). */
  async hostTarget(learnerID: string, id: string, host: string): Promise<{ agent: AgentClient; path: string }> {
    const { agent, path } = unwrap(await (await this.#own(learnerID, id)).hostTarget(id, host));
    return { agent: new AgentClient(agent, this.#env.CONTROL_PLANE_KEY, agentCallTimeoutMs(this.#env)), path };
  }

  /**
   * Running sessions the agent's report shows it no longer holds: those of an earlier start of it
   * (gone with that start's sandboxes: they end `lost`), and those missing from the keys it holds
   * now (it removed them at their time limit or idling: `expired`). Each is moved along at once, its
   * agent asked as the authority, rather than when its page next looks. Returns how many ended.
   */
  async settleAgent(agentID: string, bootID: string, heldKeys: readonly string[]): Promise<number> {
    const held = new Set(heldKeys);
    const { results } = await this.#env.DB.prepare("SELECT id, learner_id, lab, agent_boot_id FROM lab_sessions WHERE agent_id = ? AND state = 'running'")
      .bind(agentID)
      .all<Pick<LabSessionRow, 'id' | 'learner_id' | 'lab' | 'agent_boot_id'>>();
    const gone = results.filter((row) => row.agent_boot_id !== bootID || !held.has(row.id));
    if (gone.length === 0) return 0;
    const settled = await Promise.allSettled(gone.map(async (row) => this.#object(row.learner_id, row.lab).refresh(row.id)));
    const ended = settled.filter((result) => result.status === 'fulfilled' && result.value.ok && result.value.value.state === 'ended').length;
    console.log(JSON.stringify({ event: 'agent.sessions_settled', agent: agentID, missing: gone.length, ended }));
    return ended;
  }

  /**
   * Of the session keys an agent reports, those the control plane no longer places on it: ended
   * (the learner left while it was starting), or unknown. The agent removes them; a session the
   * control plane places is written before the agent is asked, so a new one is never among them.
   */
  async unknownOn(agentID: string, keys: readonly string[]): Promise<string[]> {
    const known = new Set<string>();
    // D1 binds at most 100 parameters a query.
    for (let i = 0; i < keys.length; i += 90) {
      const chunk = keys.slice(i, i + 90);
      const { results } = await this.#env.DB.prepare(`SELECT id FROM lab_sessions WHERE agent_id = ? AND state != 'ended' AND id IN (${chunk.map(() => '?').join(',')})`)
        .bind(agentID, ...chunk)
        .all<{ id: string }>();
      for (const row of results) known.add(row.id);
    }
    const unknown = keys.filter((key) => !known.has(key));
    if (unknown.length > 0) console.log(JSON.stringify({ event: 'agent.sessions_unknown', agent: agentID, sessions: unknown }));
    return unknown;
  }

  async #own(learnerID: string, id: string) {
    const row = await this.#env.DB.prepare('SELECT lab FROM lab_sessions WHERE id = ? AND learner_id = ?').bind(id, learnerID).first<Pick<LabSessionRow, 'lab'>>();
    if (!row) throw new APIFailure('session_not_found', `You have no session ${id}.`);
    return this.#object(learnerID, row.lab);
  }
}

function unwrap<T>(result: Outcome<T>): T {
  if (!result.ok) throw new APIFailure(result.code, result.message);
  return result.value;
}
