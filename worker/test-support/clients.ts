// Test clients of the control plane: a browser (keeps its cookie) and an agent (signs heartbeats).
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { heartbeatIssuer, labSessionSchema, type AgentHeartbeat } from '../../protocol/control-plane.ts';
import type { KeyInput, PrivateKeyJWK } from '../../protocol/keys.ts';
import { signHeartbeatToken, type RequestBinding } from '../../protocol/tokens.ts';
import { agentSilenceLimitMs } from '../pool/agent-pool';
import type { FakeSandboxFailure, FakeSlowness } from './fake-agents';


export const request = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`http://doca.test${path}`, init));

/**
 * A learner's browser: the cookie the control plane sets is sent back on every request. With an
 * `address`, its requests arrive from that client address (as Cloudflare's CF-Connecting-IP says).
 */
export class Browser {
  cookie = '';
  readonly address: string | undefined;

  constructor(options: { address?: string } = {}) {
    this.address = options.address;
  }

  async fetch(path: string, init: { method?: string; body?: unknown; rawBody?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { origin: 'http://doca.test' };
    if (this.address) headers['cf-connecting-ip'] = this.address;
    if (this.cookie) headers.cookie = this.cookie;
    if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] = 'application/json';
    const response = await request(path, { method: init.method ?? 'GET', redirect: 'manual', headers, body: init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body)) });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return response;
  }
}

/** The learner presses Start for a lab. */
export async function startLab(browser: Browser, lab = 'arquitetura') {
  const response = await browser.fetch('/api/sessions', { method: 'POST', body: { lab } });
  return { status: response.status, session: labSessionSchema.parse(await response.json()) };
}

/** The learner's page asks how their session is doing. */
export const lookAt = async (browser: Browser, id: string) => labSessionSchema.parse(await (await browser.fetch(`/api/sessions/${id}`)).json());

/**
 * A fresh agent id, unique in the test run (the stand-ins live as long as it), that the test
 * registry (AGENT_KEYS) holds a public key for.
 */
export const newAgentID = async (): Promise<string> => ((await (await fetch('http://fake-agents.test/next-id')).json()) as { id: string }).id;

/** The private key of a registered test agent: what that agent alone signs with. */
export async function agentKeyOf(agentID: string): Promise<PrivateKeyJWK> {
  const key = (await (await fetch(`http://fake-agents.test/keys/${agentID}`)).json()) as PrivateKeyJWK | null;
  if (!key) throw new Error(`Agent ${agentID} is not in the test registry (worker/test-support/fake-agents.ts testAgentIDs).`);
  return key;
}

/** A heartbeat token as agent `agentID` signs it; tests forge one by changing what it says. */
export async function heartbeatToken(agentID: string, options: { key?: KeyInput; issuerOf?: string; expiresIn?: string | number; binding?: RequestBinding } = {}) {
  return signHeartbeatToken(options.key ?? (await agentKeyOf(agentID)), agentID, {
    expiresIn: options.expiresIn ?? '1m',
    issuer: options.issuerOf === undefined ? undefined : heartbeatIssuer(options.issuerOf),
    binding: options.binding,
  });
}

/** The boot id a stand-in reports unless a test restarts it. */
export const firstBootOf = (id: string) => `${id}-boot-1`;

/**
 * Registers a stand-in agent (capacity in hosts) and has it report to the control plane; with
 * `failure`, it answers every new session with that failure.
 */
export async function startFakeAgent(id: string, capacity: number, report: Partial<AgentHeartbeat> = {}, failure: FakeSandboxFailure | null = null, slowness: FakeSlowness = {}) {
  await fetch(`http://fake-agents.test/agents/${id}`, { method: 'PUT', body: JSON.stringify({ capacity, failure, ...slowness }) });
  await sendHeartbeat(id, heartbeatOf(id, { capacity, ...report }));
}

/** A stand-in's report: its first boot, no problem, empty, unless `report` says otherwise. */
export function heartbeatOf(id: string, report: Partial<AgentHeartbeat> = {}): AgentHeartbeat {
  return { url: `https://agent-${id}.test`, bootID: firstBootOf(id), problem: null, capacity: 4, used: 0, warm: 0, sessions: [], ...report };
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

/** The session's state in D1 once it has left the line (or after 5 s still queued): what no page's asking moved. */
export async function stateWhenPlaced(id: string): Promise<string | undefined> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const row = await env.DB.prepare('SELECT state FROM lab_sessions WHERE id = ?').bind(id).first<{ state: string }>();
    if (row?.state !== 'queued' || Date.now() > deadline) return row?.state;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const stopFakeAgent = (id: string) => fetch(`http://fake-agents.test/agents/${id}/stop`, { method: 'POST' });

/** As if every agent's last report were `forMs` old (by default, just past the silence limit). */
export const silenceAgents = (forMs = agentSilenceLimitMs + 1) =>
  runInDurableObject(env.POOL.get(env.POOL.idFromName('pool')), (_pool, state) => {
    state.storage.sql.exec('UPDATE agents SET last_seen = ?', Date.now() - forMs);
  });
