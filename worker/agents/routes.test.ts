// Agents join the pool by reporting; only a report signed with the shared secret, for that agent, counts.
import { signAgentToken } from '../../protocol/tokens.ts';
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, labSessionSchema } from '../../protocol/index.ts';
import { Browser, heartbeatOf, heartbeatToken, sendHeartbeat, testAgentSecret } from '../test-support/clients';

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

  it('rejects a report signed with another secret (forged)', async () => {
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r1', { secret: 'not-the-shared-secret-not-the-shared' })), 401, 'unauthorized');
    expect(await placed()).toBe(false);
  });

  it('rejects an expired report', async () => {
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r1', { expiresIn: Math.floor(Date.now() / 1000) - 60 })), 401, 'unauthorized');
  });

  it("rejects agent r2's token on r1's report", async () => {
    await expectError(await sendHeartbeat('r1', report, await heartbeatToken('r2')), 401, 'unauthorized');
  });

  it('rejects a token the control plane signed for an agent, replayed as a heartbeat', async () => {
    const forAgent = await signAgentToken(testAgentSecret, 'r1', { expiresIn: '1m' });
    await expectError(await sendHeartbeat('r1', report, forAgent), 401, 'unauthorized');
  });

  it.each([
    ['a URL that is not http', { ...report, url: 'file:///etc/passwd' }],
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

  it('accepts a problem of 300 characters', async () => {
    expect((await sendHeartbeat('r1', { ...report, capacity: 0, problem: 'x'.repeat(300) })).status).toBe(200);
  });

  it('answers an agent id that is not one with 400 bad_request', async () => {
    await expectError(await sendHeartbeat('R1%2F..', report), 400, 'bad_request');
  });
});
