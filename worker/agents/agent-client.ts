// Calls one sandbox-host agent with a short-lived token addressed to it. What an agent call can
// bring back instead of its answer comes back as a value: the agent did not answer, or it answered
// with an error of its own.
import { labCheckSchema, sessionSchema, sessionStartingSchema, type Session } from '../../protocol/agent.ts';
import type { StepProgress } from '../../protocol/progress.ts';
import { signAgentToken, type RequestBinding } from '../../protocol/tokens.ts';
import { apiErrorSchema, type ErrorCode } from '../../protocol/api.ts';

/**
 * `slow`: no answer within the call's time (the agent may still be doing what was asked).
 * `unreachable`: no connection, or an answer that isn't the agent's own (a proxy's 502, a
 * crash page). `refused`: the agent answered with its `{ error: { code, message } }`, e.g.
 * `capacity_exhausted` (full) or `sandbox_failed` (it cannot make the sandbox).
 */
export type AgentFailure =
  | { kind: 'slow'; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'refused'; status: number; code: ErrorCode; message: string };

export type AgentAnswer<T> = { ok: true; value: T } | { ok: false; failure: AgentFailure };

/** The configured time an agent call may take (AGENT_CALL_TIMEOUT_MS), or 20 s. */
export function agentCallTimeoutMs(env: { AGENT_CALL_TIMEOUT_MS?: string }): number {
  const ms = Number(env.AGENT_CALL_TIMEOUT_MS);
  return Number.isInteger(ms) && ms > 0 ? ms : 20_000;
}

export class AgentClient {
  readonly id: string;
  readonly url: string;
  /** The control plane's private key (CONTROL_PLANE_KEY, a JWK as JSON). */
  #key: string;
  #timeoutMs: number;

  constructor(agent: { id: string; url: string }, key: string, timeoutMs = 20_000) {
    this.id = agent.id;
    this.url = agent.url.replace(/\/$/, '');
    this.#key = key;
    this.#timeoutMs = timeoutMs;
  }

  /** A token only this agent accepts, for the one request it names, valid for a minute. */
  token(binding: RequestBinding): Promise<string> {
    return signAgentToken(this.#key, this.id, binding);
  }

  /**
   * The session named `key` for the lab: made on the first call, the same one on every later call
   * (a retry after a timeout never makes a second); `starting` while it waits its turn or starts.
   */
  async createSession(lab: string, key: string): Promise<AgentAnswer<Session | 'starting'>> {
    return this.#call('POST', '/sessions', { lab, key }, (response) => {
      const starting = sessionStartingSchema.safeParse(response);
      return starting.success ? 'starting' : sessionSchema.parse(response);
    });
  }

  /** The session as the agent sees it, or undefined when the agent no longer holds it. */
  async session(id: string): Promise<AgentAnswer<Session | undefined>> {
    return this.#call('GET', `/sessions/${id}`, undefined, (response) => sessionSchema.parse(response), { 404: undefined });
  }

  async extend(id: string): Promise<AgentAnswer<Session | undefined>> {
    return this.#call('POST', `/sessions/${id}/extend`, undefined, (response) => sessionSchema.parse(response), { 404: undefined });
  }

  /** The session's lab steps, checked now; undefined when the agent no longer holds the session. */
  async check(id: string): Promise<AgentAnswer<StepProgress[] | undefined>> {
    return this.#call('POST', `/sessions/${id}/check`, undefined, (response) => labCheckSchema.parse(response).steps, { 404: undefined });
  }

  async deleteSession(id: string): Promise<AgentAnswer<void>> {
    return this.#call('DELETE', `/sessions/${id}`, undefined, () => undefined, { 404: undefined });
  }

  /**
   * One call: a 2xx answer read by `read`, a status listed in `expected` as its value, anything
   * else as a failure. An answer the agent sent that doesn't match the protocol is a bug and throws.
   */
  async #call<T>(method: string, path: string, body: unknown, read: (json: unknown) => T, expected: Record<number, T> = {}): Promise<AgentAnswer<T>> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.token({ method, path })}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        // Under the 30 s a session's Durable Object may hold its other requests while it waits.
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const slow = (error as Error).name === 'TimeoutError';
      return { ok: false, failure: { kind: slow ? 'slow' : 'unreachable', message: `agent ${this.id} did not answer${slow ? ` within ${this.#timeoutMs} ms` : ''}: ${(error as Error).message}` } };
    }
    if (response.status in expected) return { ok: true, value: expected[response.status] };
    if (response.ok) return { ok: true, value: read(response.status === 204 ? undefined : await response.json()) };
    const text = await response.text().catch(() => '');
    const error = apiErrorSchema.safeParse(safeJSON(text));
    if (!error.success) {
      return { ok: false, failure: { kind: 'unreachable', message: `agent ${this.id} answered ${response.status}: ${text.slice(0, 200)}` } };
    }
    return { ok: false, failure: { kind: 'refused', status: response.status, ...error.data.error } };
  }
}

function safeJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
