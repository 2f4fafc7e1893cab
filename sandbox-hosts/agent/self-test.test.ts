// The agent's self-test against the real machine: a sandbox made and removed, and the one line a
// person reads when the machine can't make one.
import { chmodSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiErrorSchema, agentCapacitySchema } from '../../protocol/index.ts';
import { labs } from '../../src/labs/index.ts';
import { controlPlaneToken, testAgentID, testControlPlaneKeys } from '../test-support/control-plane-token.ts';
import { sandboxHosts, sandboxSessions } from '../test-support/test-machine.ts';
import { createAgentApp } from './app.ts';
import { LiveSessions } from './live-sessions.ts';
import { oneLine, selfTest } from './self-test.ts';

describe('the agent self-test', () => {
  it('passes on a machine that can make sandboxes, and leaves nothing behind', async () => {
    const result = await selfTest(sandboxSessions);
    expect(result).toMatchObject({ ok: true });
    expect(await sandboxHosts.ids()).toEqual([]);
  });

  it('with /dev/net/tun unusable by learners (a fresh machine here): fails with one line naming the tap device', async () => {
    chmodSync('/dev/net/tun', 0o600);
    try {
      const result = await selfTest(sandboxSessions);
      expect(result.ok).toBe(false);
      const problem = (result as { problem: string }).problem;
      expect(problem).not.toContain('\n');
      expect(problem.length).toBeLessThanOrEqual(280);
      expect(problem).toMatch(/^The Docker daemon of the self-test's sandbox host exited before it was ready/);
      expect(problem).toMatch(/failed to setup network: setting up tap tap0/);
    } finally {
      chmodSync('/dev/net/tun', 0o666);
    }
    expect(await sandboxHosts.ids()).toEqual([]);
  });

  it('words any failure as one bounded line: what failed and the last thing said', () => {
    expect(oneLine(new Error('The Docker daemon of sandbox host x did not start:\nline a\n\n  [rootlesskit] setting up tap tap0: exit status 1  \n'))).toBe(
      'The Docker daemon of sandbox host x did not start: [rootlesskit] setting up tap tap0: exit status 1',
    );
    expect(oneLine(new Error('daemon did not start:\n[parent] error: failed to setup network &{a:1 b:{c:2}}: setting up tap tap0: exit status 1\n[child ] error: parsing message from fd 3: EOF'))).toBe(
      'daemon did not start: [parent] error: failed to setup network: setting up tap tap0: exit status 1',
    );
    expect(oneLine('plain')).toBe('plain');
    expect(oneLine(new Error(`a\n${'x'.repeat(500)}`))).toHaveLength(280);
  });
});

describe('an agent whose machine cannot make sandboxes', () => {
  const live = new LiveSessions({ sessions: sandboxSessions, capacity: 4, log: () => undefined });
  live.problem = 'The Docker daemon of sandbox host t1 did not start: setting up tap tap0: exit status 1';
  const app = createAgentApp({ agentID: testAgentID, controlPlaneKey: testControlPlaneKeys.publicKey, live, labs });
  const call = async (method: string, path: string, body?: unknown) =>
    app.request(path, { method, headers: { authorization: `Bearer ${await controlPlaneToken(method, path)}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

  it('reports capacity 0 with the reason', async () => {
    const capacity = agentCapacitySchema.parse(await (await call('GET', '/capacity')).json());
    expect(capacity).toMatchObject({ capacity: 0, problem: live.problem });
  });

  it('answers a session request with sandbox_failed and the reason, making nothing', async () => {
    const response = await call('POST', '/sessions', { lab: 'arquitetura' });
    expect(response.status).toBe(500);
    const { error } = apiErrorSchema.parse(await response.json());
    expect(error.code).toBe('sandbox_failed');
    expect(error.message).toContain('setting up tap tap0');
    expect(await sandboxHosts.ids()).toEqual([]);
  });
});
