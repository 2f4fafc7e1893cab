// The agent's API against real sandbox hosts; tokens signed the way the control plane signs them.
import { afterAll, describe, expect, it } from 'vitest';
import { agentCapacitySchema, apiErrorSchema, sessionSchema } from '../../protocol/index.ts';
import { controlPlaneToken as token, testAgentID as agentID, testControlPlaneKeys } from '../test-support/control-plane-token.ts';
import { sandboxSessions } from '../test-support/test-machine.ts';
import { createAgentApp } from './app.ts';
import { labs } from '../../src/labs/index.ts';
import { LiveSessions } from './live-sessions.ts';

const live = new LiveSessions({ sessions: sandboxSessions, capacity: 2, log: () => undefined });
const app = createAgentApp({ agentID, controlPlaneKey: testControlPlaneKeys.publicKey, live, labs, retryAfterSeconds: 7 });

async function call(method: string, path: string, options: { body?: unknown; rawBody?: string; bearer?: string | null } = {}) {
  const bearer = options.bearer === undefined ? await token(method, path) : options.bearer;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return app.request(path, { method, headers, body });
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = apiErrorSchema.parse(await response.json());
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe('agent requests with bad input', () => {
  it.each([
    ['a body that is not JSON', { rawBody: '{hostCount: 2' }],
    ['too many hosts', { body: { hostCount: 4 } }],
    ['no hosts', { body: { hostCount: 0 } }],
    ['a host count that is not a number', { body: { hostCount: 'two' } }],
    ['an unknown field', { body: { hostCount: 1, privileged: true } }],
    ['both a lab and a host count', { body: { lab: 'arquitetura', hostCount: 3 } }],
    ['a lab id that is not one', { body: { lab: '../../etc' } }],
  ])('answers %s with 400 invalid_body', async (_, options) => {
    await expectError(await call('POST', '/sessions', options), 400, 'invalid_body');
  });

  it('answers an unknown lab with 404 lab_not_found, naming the labs there are', async () => {
    expect(await expectError(await call('POST', '/sessions', { body: { lab: 'no-such-lab' } }), 404, 'lab_not_found')).toContain('arquitetura');
  });

  it('answers an unknown route with 404 not_found and an unknown session with 404 session_not_found', async () => {
    await expectError(await call('GET', '/no-such-route'), 404, 'not_found');
    await expectError(await call('GET', '/sessions/nope'), 404, 'session_not_found');
    await expectError(await call('DELETE', '/sessions/nope'), 404, 'session_not_found');
    await expectError(await call('POST', '/sessions/nope/extend'), 404, 'session_not_found');
    await expectError(await call('GET', '/sessions/nope/events'), 404, 'session_not_found');
    await expectError(await call('GET', '/sessions/nope/hosts/host1/terminal'), 404, 'session_not_found');
  });
});

describe('agent sessions', () => {
  const created: string[] = [];
  afterAll(async () => {
    for (const id of created) await call('DELETE', `/sessions/${id}`);
  });

  it('creates a session of real hosts for a lab, shows it, counts it, and deletes it', async () => {
    const response = await call('POST', '/sessions', { body: { lab: 'arquitetura' } });
    expect(response.status).toBe(201);
    const session = sessionSchema.parse(await response.json());
    created.push(session.id);
    expect(session.lab).toBe('arquitetura');
    expect(session.hosts.map((host) => host.name)).toEqual(['host1', 'host2']); // the lab's two hosts

    expect(sessionSchema.parse(await (await call('GET', `/sessions/${session.id}`)).json())).toEqual(session);
    const capacity = agentCapacitySchema.parse(await (await call('GET', '/capacity')).json());
    expect(capacity).toEqual({ agentID, capacity: 2, used: 2, sessions: 1, warm: 0, problem: null });

    const refused = await call('POST', '/sessions', { body: { hostCount: 1 } });
    expect(refused.headers.get('retry-after')).toBe('7');
    await expectError(refused, 503, 'capacity_exhausted');

    expect((await call('DELETE', `/sessions/${session.id}`)).status).toBe(204);
    created.pop();
    await expectError(await call('GET', `/sessions/${session.id}`), 404, 'session_not_found');
    expect(agentCapacitySchema.parse(await (await call('GET', '/capacity')).json()).used).toBe(0);
  });
});
