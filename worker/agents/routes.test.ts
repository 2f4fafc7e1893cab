// Agents join the pool by reporting; only a report signed with that agent's own key, for the
// heartbeat route, counts.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, labSessionSchema } from '../../protocol/index.ts';
import { newKeyPair } from '../../protocol/keys.ts';
import { signAgentToken } from '../../protocol/tokens.ts';
import { Browser, agentKeyOf, heartbeatOf, heartbeatToken, sendHeartbeat } from '../test-support/clients';

const report = heartbeatOf('r1');

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(apiErrorSchema.parse(await response.json()).error.code).toBe(code);
}

/** Whether a learner gets placed: the pool only knows agents whose reports were accepted. */
async function placed() {
  const response = await new Browser().fetch('/api/sessions', { method: 'POST', body: { lab: 'arquitetura' } });
  return labSessionSchema.parse(await response.json()).state !== 'queued';
}

describe('agent heartbeats', () => {
  it('accepts a signed report and puts the agent in the pool', async () => {
    await fetch('http://fake-agents.test/agents/r1', { method: 'PUT', body: JSON.stringify({ capacity: 4 }) });
    expect((await sendHeartbeat('r1', report)).status).toBe(200);
    expect(await placed()).toBe(true);
  });

  it('rejects a report without a token', async () => {
    const response = await sendHeartbeat('r1', report, '');
    await expectError(response, 401, 'unauthorized');
  });

  it('rejects a report signed with a key no agent is registered with (forged)', async () => {
    const stranger = await newKeyPair();
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r1', { key: stranger.privateKey })), 401, 'unauthorized');
    expect(await placed()).toBe(false);
  });

  it("rejects r1's report signed with agent r2's key, though r2 is registered", async () => {
    const forged = await heartbeatToken('r1', { key: await agentKeyOf('r2') });
    await expectError(await sendHeartbeat('r1', report, forged), 401, 'unauthorized');
    expect(await placed()).toBe(false);
    // The same claims signed with r1's own key are accepted: only the key differs.
    expect((await sendHeartbeat('r1', report, await heartbeatToken('r1'))).status).toBe(200);
  });

  it('rejects a report from an agent id the registry does not hold', async () => {
    const unknown = heartbeatOf('r9');
    await expectError(await sendHeartbeat('r9', unknown, await heartbeatToken('r9', { key: await agentKeyOf('r1') })), 401, 'unauthorized');
  });

  it('rejects a heartbeat token replayed on another path, or made for another method', async () => {
    await fetch('http://fake-agents.test/agents/r1', { method: 'PUT', body: JSON.stringify({ capacity: 4 }) });
    // Signed with r1's own key; only the request it names differs from the route it is sent to.
    const forOtherPath = await heartbeatToken('r1', { binding: { method: 'POST', path: '/api/agents/r2/heartbeat' } });
    await expectError(await sendHeartbeat('r1', report, forOtherPath), 401, 'unauthorized');
    const forOtherMethod = await heartbeatToken('r1', { binding: { method: 'PUT', path: '/api/agents/r1/heartbeat' } });
    await expectError(await sendHeartbeat('r1', report, forOtherMethod), 401, 'unauthorized');
    expect(await placed()).toBe(false);
  });

  it('rejects a heartbeat token that lives longer than 90 s', async () => {
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r1', { expiresIn: '10m' })), 401, 'unauthorized');
  });

  it('rejects an expired report', async () => {
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r1', { expiresIn: Math.floor(Date.now() / 1000) - 60 })), 401, 'unauthorized');
  });

  it("rejects agent r2's token on r1's report", async () => {
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r2')), 401, 'unauthorized');
  });

  it('rejects a token the control plane signed for an agent, replayed as a heartbeat', async () => {
    const forAgent = await signAgentToken(env.CONTROL_PLANE_KEY, 'r1', { method: 'POST', path: '/api/agents/r1/heartbeat' });
    await expectError(await sendHeartbeat('r1', report, forAgent), 401, 'unauthorized');
  });

  it.each([
    ['a URL that is not http', { ...report, url: 'file:///etc/passwd' }],
    ['a plain-http URL off loopback', { ...report, url: 'http://10.0.0.2:7070' }],
    ['a plain-http URL to a name', { ...report, url: 'http://agent1.example.org' }],
    ['a negative capacity', { ...report, capacity: -1 }],
    ['an unknown field', { ...report, root: true }],
    ['no bootID', { ...report, bootID: undefined }],
    ['a bootID that is not an id', { ...report, bootID: '../../etc' }],
    ['no problem field (null when there is none)', { ...report, problem: undefined }],
    ['a problem longer than 300 characters', { ...report, capacity: 0, problem: 'x'.repeat(301) }],
    ['a blank problem', { ...report, capacity: 0, problem: '   ' }],
  ])('answers %s with 400 invalid_body', async (_, body) => {
    await fetch('http://fake-agents.test/agents/r1', { method: 'PUT', body: JSON.stringify({ capacity: 4 }) });
    await expectError(await sendHeartbeat('r1', body as typeof report), 400, 'invalid_body');
    expect(await placed()).toBe(false);
  });

  it.each(['https://agent1.example.org', 'http://127.0.0.1:7070', 'http://[::1]:7070', 'http://localhost:7070'])('accepts the agent URL %s', async (url) => {
    expect((await sendHeartbeat('r1', { ...report, url })).status).toBe(200);
  });

  it('accepts a problem of 300 characters', async () => {
    expect((await sendHeartbeat('r1', { ...report, capacity: 0, problem: 'x'.repeat(300) })).status).toBe(200);
  });

  it('answers an agent id that is not one with 400 bad_request', async () => {
    await expectError(await sendHeartbeat('R1%2F..', report, await heartbeatToken('r1')), 400, 'bad_request');
  });
});
