// Calls one sandbox-host agent with a short-lived token addressed to it.
import { SignJWT } from 'jose';
import { agentAudience, agentTokenIssuer, sessionSchema, type Session } from '../../protocol/agent.ts';

/** The agent did not answer, or answered with a server error: try another, and stop using it. */
export class AgentUnreachable extends Error {
  override name = 'AgentUnreachable';
}

export class AgentClient {
  readonly id: string;
  readonly url: string;
  #secret: Uint8Array;

  constructor(agent: { id: string; url: string }, secret: string) {
    this.id = agent.id;
    this.url = agent.url.replace(/\/$/, '');
    this.#secret = new TextEncoder().encode(secret);
  }

  /** A token only this agent accepts, valid for a minute. */
  token(): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(agentTokenIssuer)
      .setAudience(agentAudience(this.id))
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(this.#secret);
  }

  async call(method: string, path: string, body?: unknown): Promise<Response> {
    try {
      const response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        // Under the 30 s a session's Durable Object may hold its other requests while it waits.
        signal: AbortSignal.timeout(20_000),
      });
      if (response.status >= 500 && response.status !== 503) throw new AgentUnreachable(`agent ${this.id} answered ${response.status}`);
      return response;
    } catch (error) {
      if (error instanceof AgentUnreachable) throw error;
      throw new AgentUnreachable(`agent ${this.id} did not answer: ${(error as Error).message}`);
    }
  }

  /** A new session for the lab, or 'full' when the agent has no room. */
  async createSession(lab: string): Promise<Session | 'full'> {
    const response = await this.call('POST', '/sessions', { lab });
    if (response.status === 503) return 'full';
    return sessionSchema.parse(await this.#ok(response));
  }

  /** The session as the agent sees it, or undefined when the agent no longer holds it. */
  async session(id: string): Promise<Session | undefined> {
    const response = await this.call('GET', `/sessions/${id}`);
    if (response.status === 404) return undefined;
    return sessionSchema.parse(await this.#ok(response));
  }

  async extend(id: string): Promise<Session | undefined> {
    const response = await this.call('POST', `/sessions/${id}/extend`);
    if (response.status === 404) return undefined;
    return sessionSchema.parse(await this.#ok(response));
  }

  async deleteSession(id: string): Promise<void> {
    const response = await this.call('DELETE', `/sessions/${id}`);
    if (response.status !== 204 && response.status !== 404) await this.#ok(response);
  }

  async #ok(response: Response): Promise<unknown> {
    if (!response.ok) throw new AgentUnreachable(`agent ${this.id} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }
}
