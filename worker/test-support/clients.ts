// Test clients of the control plane: a browser (keeps its cookie) and an agent (signs heartbeats).
import { exports } from 'cloudflare:workers';
import { SignJWT } from 'jose';
import { heartbeatAudience, heartbeatIssuer, type AgentHeartbeat } from '../../protocol/control-plane.ts';

export const testAgentSecret = 'test-agent-secret-of-at-least-32-bytes';

export const request = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://doca.test${path}`, init));

/** A learner's browser: the cookie the control plane sets is sent back on every request. */
export class Browser {
  cookie = '';

  async fetch(path: string, init: { method?: string; body?: unknown; rawBody?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { origin: 'http://doca.test' };
    if (this.cookie) headers.cookie = this.cookie;
    if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await request(path, { method: init.method ?? 'GET', redirect: 'manual', headers, body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)) });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return response;
  }
}

export async function heartbeatToken(agentID: string, options: { secret?: string; issuerOf?: string; expiresIn?: string | number } = {}) {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(heartbeatIssuer(options.issuerOf ?? agentID))
    .setAudience(heartbeatAudience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1m')
    .sign(new TextEncoder().encode(options.secret ?? testAgentSecret));
}

/** Registers a stand-in agent (capacity in hosts) and has it report to the control plane. */
export async function startFakeAgent(id: string, capacity: number, report: Partial<AgentHeartbeat> = {}) {
  await fetch(`http://fake-agents.test/agents/${id}`, { method: 'PUT', body: JSON.stringify({ capacity }) });
  await sendHeartbeat(id, { url: `http://agent-${id}.test`, capacity, used: 0, warm: 0, ...report });
}

export async function sendHeartbeat(id: string, report: AgentHeartbeat, token?: string) {
  return request(`/api/agents/${id}/heartbeat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? (await heartbeatToken(id))}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
  });
}

export async function fakeAgentState(id: string): Promise<{ sessions: string[]; calls: string[]; used: number }> {
  return (await fetch(`http://fake-agents.test/agents/${id}`)).json();
}

export const stopFakeAgent = (id: string) => fetch(`http://fake-agents.test/agents/${id}/stop`, { method: 'POST' });
