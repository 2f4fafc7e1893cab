// A real agent server over given LiveSessions for a test file: started before its tests, its sessions
// and terminals cleared after each (a failed test must not leave them for the next), closed after all.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { sessionSchema, type Session } from '../../protocol/index.ts';
import { labs } from '../../src/labs/index.ts';
import { createAgentApp } from '../agent/app.ts';
import type { LiveSessions } from '../agent/live-sessions.ts';
import { serveAgent, type AgentServer } from '../agent/server.ts';
import { controlPlaneToken, testAgentID, testControlPlaneKeys } from './control-plane-token.ts';
import { openTerminal, type TestTerminal } from './terminal-client.ts';

export interface TestAgent {
  readonly url: string;
  /** Calls the agent's API with a control-plane token. */
  call(method: string, path: string, body?: unknown): Promise<Response>;
  /** A new session of `hostCount` hosts, asserted created. */
  newSession(hostCount?: number): Promise<Session>;
  terminalURL(session: Session, host?: string): string;
  /** A host's terminal, once `ready`; `token: null` sends none. */
  terminal(session: Session, host?: string, token?: string | null): Promise<TestTerminal>;
}

export function useTestAgent(live: LiveSessions, appOptions: { createWaitMs?: number } = {}): TestAgent {
  let server: AgentServer;
  const terminals: TestTerminal[] = [];
  beforeAll(async () => {
    server = await serveAgent(createAgentApp({ agentID: testAgentID, controlPlaneKey: testControlPlaneKeys.publicKey, live, labs, ...appOptions }), '127.0.0.1', 0);
  });
  afterEach(async () => {
    terminals.splice(0).forEach((terminal) => terminal.close());
    for (const session of live.list()) await live.delete(session.id);
  });
  afterAll(async () => {
    await live.close();
    await server.close();
  });

  const agent: TestAgent = {
    get url() {
      return server.url;
    },
    async call(method, path, body) {
      const headers = { authorization: `Bearer ${await controlPlaneToken(method, path)}`, 'content-type': 'application/json' };
      return fetch(`${server.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
    async newSession(hostCount = 1) {
      const response = await agent.call('POST', '/sessions', { hostCount });
      expect(response.status).toBe(201);
      return sessionSchema.parse(await response.json());
    },
    terminalURL: (session, host = 'host1') => `${server.url.replace('http', 'ws')}/sessions/${session.id}/hosts/${host}/terminal`,
    async terminal(session, host = 'host1', token) {
      const headers: Record<string, string> = {};
      const bearer = token === undefined ? await controlPlaneToken('GET', agent.terminalURL(session, host)) : token;
      if (bearer) headers.authorization = `Bearer ${bearer}`;
      const opened = await openTerminal(agent.terminalURL(session, host), headers);
      terminals.push(opened);
      await opened.waitForMessage((m) => m.type === 'ready');
      return opened;
    },
  };
  return agent;
}
