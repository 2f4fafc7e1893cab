// The agent's private key never reaches a learner: what it starts as the learner gets an explicit,
// minimal environment. The attack: a learner reads every /proc/*/environ in a loop while the agent
// restarts their daemon again and again (each restart runs root helpers and the learner's daemon).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, learnerShell, sandboxHosts } from '../test-support/test-machine.ts';
import type { SandboxHostRecord } from '../sandbox/sandbox-host.ts';

describe("the agent's private key", () => {
  let host: SandboxHostRecord;
  const canary = `canary-${Date.now()}-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    host = await createTestHost();
    // As if the agent had never dropped it: whatever it spawns must not carry it anyway.
    process.env.DOCA_AGENT_KEY = canary;
  });
  afterAll(async () => {
    delete process.env.DOCA_AGENT_KEY;
    await sandboxHosts.destroy(host.id);
  });

  it('is not in any environment a learner can read while their daemon is restarted ten times', async () => {
    const reader = learnerShell(
      host,
      `end=$((SECONDS+25)); n=0; while [ $SECONDS -lt $end ] && [ ! -e /tmp/stop ]; do
         grep -a -h -o -e 'DOCA_[A-Z_]*=[^[:cntrl:]]*' /proc/[0-9]*/environ 2>/dev/null; n=$((n+1))
       done > /tmp/found; echo "rounds=$n"; sort -u /tmp/found`,
      60_000,
    );
    for (let i = 0; i < 10; i++) await sandboxHosts.restartDaemon(host);
    await learnerShell(host, 'touch /tmp/stop');
    const { stdout } = await reader;
    expect(stdout).not.toContain(canary);
    expect(stdout).not.toMatch(/DOCA_/);
    expect(Number(/rounds=(\d+)/.exec(stdout)?.[1])).toBeGreaterThan(10);
    // The daemon came back each time.
    expect((await learnerShell(host, 'docker info --format "{{.ServerVersion}}"')).code).toBe(0);
  });
});
