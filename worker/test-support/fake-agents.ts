// Stand-ins for sandbox-host agents in the control plane's tests (the agent itself is tested against
// real daemons in sandbox-hosts/). They run in Node as the worker's outbound service: a request to
// https://agent-<id>.test/… reaches agent <id>, which checks the control plane's token like the real
// one and keeps sessions in memory. http://fake-agents.test/… lets a test add agents, stop one,
// make one fail its sandboxes, grow, or have it forget its sessions (as a restart does), and hands tests
// a fresh agent id (GET /next-id) and the private key of a registered one (GET /keys/<id>): every
// id in testAgentIDs has its public key in the test AGENT_KEYS. A host's terminal answers watchers
// (`?mode=watch`, help mode) with a WebSocket that says which host it is, and keeps what they send.
import { Response as SocketResponse, WebSocketPair } from 'miniflare';
import type { Session } from '../../protocol/agent.ts';
import type { PrivateKeyJWK, PublicKeyJWK } from '../../protocol/keys.ts';
import { verifyAgentToken } from '../../protocol/tokens.ts';
import { labs } from '../../src/labs/index.ts';

/** How a stand-in answers POST /sessions when it cannot make sandboxes. */
export type FakeSandboxFailure =
  /** The agent's own error: 500 `sandbox_failed` with its reason. */
  | 'sandbox_failed'
  /** A 502 page from something in between, not the agent's error body. */
  | 'bad_gateway';

/** How a stand-in that can make sandboxes is slow about it. */
export interface FakeSlowness {
  /** Answers `202 starting` to the first n asks for a key (the session exists from the first). */
  startingFor?: number;
  /** Makes the session, then answers the first ask for each key too late (a call that times out). */
  dropFirstAnswer?: boolean;
}

interface FakeAgent extends FakeSlowness {
  capacity: number;
  failure: FakeSandboxFailure | null;
  /** How often each key was asked for. */
  asked: Map<string, number>;
  sessions: Map<string, Session & { hostCount: number }>;
  answering: boolean;
  /** Tokens whose audience was this agent, for tests that check who was asked. */
  calls: string[];
  /** Watchers of its terminals: what each sent, and whether it is closed (and how). */
  watchers: FakeWatcher[];
}

export interface FakeWatcher {
  host: string;
  received: string[];
  closed: number | null;
}

/** The agent ids the test registry holds keys for: two named ones and a run's worth of fresh ones. */
export const testAgentIDs = ['r1', 'r2', ...Array.from({ length: 200 }, (_, i) => `t${i}`)];

/** A read-only watcher of a host's terminal: it is told which host, gets a line of output, and what it sends is only kept. */
function watch(agent: FakeAgent, host: string): Response {
  const [client, server] = Object.values(new WebSocketPair());
  server.accept();
  const watcher: FakeWatcher = { host, received: [], closed: null };
  agent.watchers.push(watcher);
  server.addEventListener('message', (event) => watcher.received.push(typeof event.data === 'string' ? event.data : `binary ${new TextDecoder().decode(event.data as ArrayBuffer)}`));
  server.addEventListener('close', (event) => {
    watcher.closed = event.code;
  });
  server.send(JSON.stringify({ type: 'ready', host, replayed: 0 }));
  server.send(new TextEncoder().encode(`learner@${host}:~$ docker ps\r\n`).buffer as ArrayBuffer);
  return new SocketResponse(null, { status: 101, webSocket: client }) as unknown as Response;
}

export function fakeAgents(controlPlaneKey: PublicKeyJWK, agentKeys: ReadonlyMap<string, { privateKey: PrivateKeyJWK }>) {
  const agents = new Map<string, FakeAgent>();
  let handedOut = 0;
  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  async function control(url: URL, request: Request): Promise<Response> {
    if (url.pathname === '/next-id') {
      const id = testAgentIDs.filter((name) => name.startsWith('t'))[handedOut++];
      if (!id) throw new Error('The test registry has no fresh agent id left: make testAgentIDs longer.');
      return json({ id });
    }
    if (url.pathname.startsWith('/keys/')) return json(agentKeys.get(url.pathname.slice('/keys/'.length))?.privateKey ?? null);
    const [, , id, action] = url.pathname.split('/'); // /agents/:id/:action
    if (request.method === 'PUT' && id) {
      const { capacity, failure = null, ...slowness } = (await request.json()) as { capacity: number; failure?: FakeSandboxFailure | null } & FakeSlowness;
      agents.set(id, { capacity, failure, ...slowness, asked: new Map(), sessions: new Map(), answering: true, calls: [], watchers: [] });
      return json({ ok: true });
    }
    const agent = agents.get(id);
    if (!agent) return json({ error: 'no such fake agent' }, 404);
    if (action === 'stop') agent.answering = false;
    if (action === 'forget') agent.sessions.clear(); // as if its sessions had run out of time
    if (action === 'grow') agent.capacity = ((await request.json()) as { capacity: number }).capacity; // its sessions stay
    return json({ sessions: [...agent.sessions.keys()], calls: agent.calls, used: used(agent), watchers: agent.watchers });
  }

  const used = (agent: FakeAgent) => [...agent.sessions.values()].reduce((sum, s) => sum + s.hostCount, 0);

  return async function outbound(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.hostname === 'fake-agents.test') return control(url, request);
    const id = /^agent-([a-z0-9-]+)\.test$/.exec(url.hostname)?.[1];
    const agent = id ? agents.get(id) : undefined;
    if (!id || !agent || !agent.answering) throw new Error(`connect ECONNREFUSED ${url.host}`);
    const token = /^Bearer (\S+)$/.exec(request.headers.get('authorization') ?? '')?.[1] ?? '';
    // Checked like the real agent checks it: signer, audience, and the request it was made for.
    const check = await verifyAgentToken(token, { controlPlaneKey, agentID: id, method: request.method, path: url.pathname });
    if (!check.ok) return json({ error: { code: 'unauthorized', message: check.reason } }, 401);
    agent.calls.push(`${request.method} ${url.pathname}`);
    const [, , sessionID, action] = url.pathname.split('/'); // /sessions/:id/:action
    if (request.method === 'POST' && url.pathname === '/sessions') {
      const { lab, key } = (await request.json()) as { lab: string; key: string };
      const hostCount = labs.get(lab)!.hosts;
      const asked = (agent.asked.get(key) ?? 0) + 1;
      agent.asked.set(key, asked);
      // Like the real agent: a key names one session, however often it is asked for.
      const made = [...agent.sessions.values()].find((s) => s.key === key);
      if (made) return asked <= (agent.startingFor ?? 0) ? json({ key, state: 'starting' }, 202) : json(made, 201);
      if (agent.failure === 'sandbox_failed') {
        return json({ error: { code: 'sandbox_failed', message: 'slirp4netns: open /dev/net/tun: permission denied' } }, 500);
      }
      if (agent.failure === 'bad_gateway') return new Response('<html>502 Bad Gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } });
      if (used(agent) + hostCount > agent.capacity) return json({ error: { code: 'capacity_exhausted', message: 'full' } }, 503);
      const now = Date.now();
      const session = {
        id: crypto.randomUUID().slice(0, 8),
        key,
        lab,
        hosts: Array.from({ length: hostCount }, (_, i) => ({ name: `host${i + 1}`, address: `10.213.0.${10 + i}` })),
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 7_200_000).toISOString(),
        lastInputAt: new Date(now).toISOString(),
        idleUntil: new Date(now + 1_800_000).toISOString(),
        hostCount,
      };
      agent.sessions.set(session.id, session);
      // Answers after the control plane's call time (AGENT_CALL_TIMEOUT_MS in the tests' bindings).
      if (agent.dropFirstAnswer && asked === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
      if (asked <= (agent.startingFor ?? 0)) return json({ key, state: 'starting' }, 202);
      return json(session, 201);
    }
    const session = sessionID ? agent.sessions.get(sessionID) : undefined;
    if (!session) return json({ error: { code: 'session_not_found', message: 'no session' } }, 404);
    if (request.method === 'GET' && !action) return json(session);
    if (request.method === 'GET' && url.pathname.endsWith('/terminal') && url.searchParams.get('mode') === 'watch') return watch(agent, url.pathname.split('/')[4]);
    if (action === 'hosts' && url.pathname.includes('/ports/')) {
      // A published port answering: it echoes what reached it.
      return new Response(`<h1>port ${url.pathname.split('/')[6]}</h1> path=${url.pathname.split('/').slice(7).join('/')} cookie=${request.headers.get('cookie') ?? 'none'}`, {
        headers: { 'content-type': 'text/html', 'set-cookie': 'planted=1; Path=/' },
      });
    }
    if (request.method === 'POST' && action === 'extend') {
      session.expiresAt = new Date(Date.parse(session.expiresAt) + 1_800_000).toISOString();
      return json(session);
    }
    if (request.method === 'POST' && action === 'check') {
      // A stand-in's lab has not begun: every step is still to do.
      const lab = labs.get(session.lab ?? '');
      return lab ? json({ steps: lab.steps.map((step) => ({ step: step.id, status: 'failed', reason: { code: 'not-pulled', values: {} }, failures: 0 })) }) : json({ error: { code: 'lab_not_found', message: 'no lab' } }, 404);
    }
    if (request.method === 'DELETE' && !action) {
      agent.sessions.delete(session.id);
      return new Response(null, { status: 204 });
    }
    return json({ error: { code: 'not_found', message: 'no route' } }, 404);
  };
}
